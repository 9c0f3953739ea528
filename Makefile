# The two commands of the README. Both install what is missing and reuse what runs.
.PHONY: demo test setup lint

demo:
	@scripts/setup.sh demo
	@scripts/demo.sh

test:
	@scripts/setup.sh test
	@scripts/test.sh

setup:
	@scripts/setup.sh test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
