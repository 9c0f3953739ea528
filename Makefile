# The two commands of the README. Both install what is missing and reuse what runs.
.PHONY: demo test setup lint bench-ingest

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

# Ingest benchmark on its own database (it empties that database's positions).
bench-ingest:
	@scripts/setup.sh bench
	WAYBILL_DB__URL=postgresql://waybill:waybill@127.0.0.1:5432/waybill_bench .venv/bin/waybill bench ingest
