//! The operator commands of the `server` binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::io::Write;
use std::process::{Command, Stdio};

fn server() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CODEXAPI_") {
            command.env_remove(key);
        }
    }
    command.env("RUST_LOG", "warn");
    command
}

#[test]
fn print_config_redacts_secrets() {
    let output = server()
        .arg("print-config")
        .env(
            "CODEXAPI_DATABASE__URL",
            "postgres://app:hunter2@db.internal/codexapi",
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("[database]"));
    assert!(stdout.contains("url = \"[redacted]\""), "{stdout}");
    assert!(!stdout.contains("hunter2"));
}

#[test]
fn a_bad_value_fails_fast_naming_the_setting() {
    let output = server()
        .arg("print-config")
        .env("CODEXAPI_SERVER__PORT", "not-a-port")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("port"), "{stderr}");

    let output = server()
        .arg("print-config")
        .env("CODEXAPI_SERVER__BASE_URL", "ftp://example.com")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("server.base_url"));
}

#[test]
fn a_toml_file_is_read_and_the_environment_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("codexapi.toml");
    std::fs::write(&file, "[site]\nname = \"From File\"\ncurrency = \"EUR\"\n").unwrap();
    let output = server()
        .args(["--config", file.to_str().unwrap(), "print-config"])
        .env("CODEXAPI_SITE__CURRENCY", "GBP")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("name = \"From File\""), "{stdout}");
    assert!(stdout.contains("currency = \"GBP\""), "{stdout}");
}

#[test]
fn an_unknown_key_in_the_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("codexapi.toml");
    std::fs::write(&file, "[server]\nprot = 3000\n").unwrap();
    let output = server()
        .args(["--config", file.to_str().unwrap(), "print-config"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8(output.stderr).unwrap().contains("prot"));
}

#[test]
fn create_admin_makes_one_admin_and_if_none_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());

    let output = server()
        .args([
            "create-admin",
            "--email",
            "Root@Example.com",
            "--username",
            "root",
            "--if-none",
        ])
        .env("CODEXAPI_DATABASE__URL", &url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("admin created: root"));
    let password_line = stdout
        .lines()
        .find(|l| l.starts_with("password: "))
        .expect("generated password shown");
    assert!(password_line.len() >= "password: ".len() + 24);

    let again = server()
        .args([
            "create-admin",
            "--email",
            "other@example.com",
            "--username",
            "other",
            "--if-none",
        ])
        .env("CODEXAPI_DATABASE__URL", &url)
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8(again.stdout)
        .unwrap()
        .contains("already exists"));

    // The same email in another case is taken.
    let mut duplicate = server()
        .args([
            "create-admin",
            "--email",
            "root@example.COM",
            "--username",
            "root2",
            "--password-stdin",
        ])
        .env("CODEXAPI_DATABASE__URL", &url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    duplicate
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    let output = duplicate.wait_with_output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("uq_users_email_lower"));
}

#[test]
fn migrate_applies_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nested/dir/m.db", dir.path().display());
    let output = server()
        .arg("migrate")
        .env("CODEXAPI_DATABASE__URL", &url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("nested/dir/m.db").exists());
}
