//! Set-up instructions for Codex CLI and Claude Code, filled with this site's address, and the
//! `codexclaude` script that configures both (it asks for the token, so the token never sits in
//! a URL or the shell history).

use crate::bootstrap::use_bootstrap;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SetupPage() -> impl IntoView {
    let base = use_bootstrap().site.base_url;
    let claude = format!(
        "export ANTHROPIC_BASE_URL={base}\n\
         export ANTHROPIC_API_KEY=<your API token>\n\
         # Keeps Claude Code from sending your token to anyone but us:\n\
         export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1\n\
         claude"
    );
    let codex = format!(
        "# ~/.codex/config.toml\n\
         model_provider = \"codexapi\"\n\n\
         [model_providers.codexapi]\n\
         name = \"CodexAPI\"\n\
         base_url = \"{base}/v1\"\n\
         env_key = \"CODEXAPI_API_KEY\"\n\
         wire_api = \"responses\"\n\n\
         [analytics]\n\
         enabled = false"
    );
    let script = format!(
        "sh -c \"$(curl -fsSL {base}{})\"",
        crate::paths::SETUP_SCRIPT
    );
    view! {
        <Title text="Set up" />
        <section class="container narrow">
            <h1>"Set up your coding agent"</h1>
            <p class="lead">
                "You need an API token from your dashboard. It is shown once when you create it; \
                keep it like a password."
            </p>
            <h2 id="quick">"Both at once"</h2>
            <p>
                "This downloads the " <code>"codexclaude"</code> " script, which asks for your token \
                (it never goes into a URL or your shell history) and configures Claude Code and \
                Codex CLI. "
                <a href=crate::paths::SETUP_SCRIPT rel="external">"Read the script first"</a>
                " if you like."
            </p>
            <pre class="code" aria-labelledby="quick"><code>{script}</code></pre>
            <h2 id="claude-code">"Claude Code"</h2>
            <p>"Set these variables in the shell where you run " <code>"claude"</code> ":"</p>
            <pre class="code" aria-labelledby="claude-code"><code>{claude}</code></pre>
            <h2 id="codex-cli">"Codex CLI"</h2>
            <p>
                "Add a provider to Codex's configuration, then run "
                <code>"CODEXAPI_API_KEY=<your API token> codex"</code>
                ". Codex ignores "
                <code>"OPENAI_BASE_URL"</code>
                " for its built-in provider, so the provider entry is required."
            </p>
            <pre class="code" aria-labelledby="codex-cli"><code>{codex}</code></pre>
        </section>
    }
}
