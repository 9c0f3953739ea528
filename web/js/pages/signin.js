// Sign-in: the OAuth2 password flow of /v1/auth/token; then to the role's first page.
import { ApiError, signIn } from "../api.js";
import { t } from "../i18n.js";

export function render(view, { go }) {
  view.innerHTML = `
    <div class="signin panel">
      <h1 data-i18n="sign_in"></h1>
      <p class="muted small" data-i18n="signin_hint"></p>
      <form id="signin-form" autocomplete="on">
        <label><span data-i18n="username"></span>
          <input name="username" autocomplete="username" required data-testid="username"></label>
        <label><span data-i18n="password"></span>
          <input name="password" type="password" autocomplete="current-password" required
                 data-testid="password"></label>
        <p class="error" id="signin-error" role="alert" hidden></p>
        <button type="submit" data-i18n="sign_in" data-testid="sign-in"></button>
      </form>
    </div>`;
  const form = view.querySelector("form");
  const error = view.querySelector("#signin-error");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.hidden = true;
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const s = await signIn(form.username.value.trim(), form.password.value);
      if (s.role === "integration") {
        sessionStorage.clear();
        throw new ApiError(403, { detail: t("no_console_role") });
      }
      go("#/");
    } catch (err) {
      error.textContent = err.status === 401 ? t("bad_credentials")
        : err.status === 429 ? t("rate_limited") : err.message;
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
}
