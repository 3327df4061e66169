//! The `codexclaude` script the site serves, run by a real `sh` in a scratch home directory:
//! it takes the token from its prompt, configures both CLIs, keeps what was there, and can be
//! run again.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use common::{Backend, TestApp};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use tokio::io::AsyncWriteExt as _;

async fn run_script(script: &Path, home: &Path, input: &str) -> std::process::Output {
    let mut child = tokio::process::Command::new("sh")
        .arg(script)
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .await
        .unwrap();
    child.wait_with_output().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setup_script_configures_both_clients_from_a_prompted_token() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let site = app
        .settings
        .public_base_url()
        .trim_end_matches('/')
        .to_owned();
    let served = app.get("/setup/codexclaude").await;
    assert_eq!(served.status(), reqwest::StatusCode::OK);
    assert!(served.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/x-shellscript"));
    let script_text = served.text().await.unwrap();
    assert!(script_text.contains(&format!("SITE_URL='{site}'")));
    let page = app.get("/setup").await.text().await.unwrap();
    assert!(page.contains(&format!("curl -fsSL {site}/setup/codexclaude")));

    let home = tempfile::tempdir().unwrap();
    let script = home.path().join("codexclaude");
    std::fs::write(&script, &script_text).unwrap();
    std::fs::write(home.path().join(".bashrc"), "alias ll='ls -l'\n").unwrap();
    std::fs::create_dir_all(home.path().join(".codex")).unwrap();
    std::fs::write(
        home.path().join(".codex/config.toml"),
        "model = \"gpt-5\"\nmodel_provider = \"openai\"\n\n[profiles.fast]\nmodel = \"gpt-5-mini\"\n",
    )
    .unwrap();

    let refused = run_script(&script, home.path(), "sk-not-ours\n").await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("start with cdx_"));
    assert!(!home.path().join(".config/codexapi/env").exists());

    let token = "cdx_0123456789ab_SECRETpart-xyz";
    for _ in 0..2 {
        let done = run_script(&script, home.path(), &format!("{token}\n")).await;
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&done.stdout).contains(token),
            "the token is not echoed"
        );
    }
    let env_file = home.path().join(".config/codexapi/env");
    let env = std::fs::read_to_string(&env_file).unwrap();
    assert!(env.contains(&format!("export ANTHROPIC_BASE_URL='{site}'")));
    assert!(env.contains(&format!("export ANTHROPIC_API_KEY='{token}'")));
    assert!(env.contains("export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1"));
    assert!(env.contains(&format!("export CODEXAPI_API_KEY='{token}'")));
    assert_eq!(
        std::fs::metadata(&env_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let config: toml::Value =
        toml::from_str(&std::fs::read_to_string(home.path().join(".codex/config.toml")).unwrap())
            .unwrap();
    assert_eq!(config["model_provider"].as_str(), Some("codexapi"));
    assert_eq!(config["model"].as_str(), Some("gpt-5"), "kept");
    assert_eq!(
        config["profiles"]["fast"]["model"].as_str(),
        Some("gpt-5-mini")
    );
    let provider = &config["model_providers"]["codexapi"];
    assert_eq!(
        provider["base_url"].as_str(),
        Some(format!("{site}/v1").as_str())
    );
    assert_eq!(provider["wire_api"].as_str(), Some("responses"));
    assert_eq!(provider["env_key"].as_str(), Some("CODEXAPI_API_KEY"));
    assert!(home.path().join(".codex/config.toml.bak").exists());
    let bashrc = std::fs::read_to_string(home.path().join(".bashrc")).unwrap();
    assert!(bashrc.starts_with("alias ll='ls -l'"));
    assert_eq!(
        bashrc.matches("codexapi/env").count(),
        2,
        "one line, added once: {bashrc}"
    );
}
