//! Account-test helpers: a cookie-keeping client that can pose as any client address (through
//! a trusted proxy's `X-Forwarded-For`), server-function calls, and reading links out of mail.

use super::smtp_sink::{ReceivedMail, SmtpSink};
use super::{Backend, TestApp};
use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// A strong password that is not on the common-password list.
pub const PASSWORD: &str = "violet otter harmonica 42";

/// A test server whose mail goes to a sink and which trusts loopback as a proxy, so tests can
/// choose each request's client address with `X-Forwarded-For`.
pub async fn spawn_with_mail(backend: Backend) -> Option<(TestApp, SmtpSink)> {
    let sink = SmtpSink::start(super::smtp_sink::SinkMode::Accept).await;
    let url = sink.url();
    let app = TestApp::spawn_with(backend, move |s| {
        s.email.smtp_url = Some(SecretString::from(url));
        s.email.poll_interval_ms = 20;
        s.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await?;
    Some((app, sink))
}

/// Declares a test that runs once on SQLite and once on PostgreSQL with a mail-connected app:
/// `with_mail!(name, |app: TestApp, sink| async move { ... });`
#[macro_export]
macro_rules! with_mail {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let (app, sink) =
                    $crate::common::accounts::spawn_with_mail($crate::common::Backend::Sqlite)
                        .await
                        .expect("SQLite test app");
                ($body)(app, sink).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some((app, sink)) =
                    $crate::common::accounts::spawn_with_mail($crate::common::Backend::Postgres)
                        .await
                {
                    ($body)(app, sink).await;
                }
            }
        }
    };
}

/// One browser: its cookies and the address it appears to come from.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub ip: String,
    jar: Mutex<BTreeMap<String, String>>,
}

/// A server function's answer.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// Where a successful call asked the browser to go.
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }
}

impl Browser {
    pub fn new(app: &TestApp, ip: &str) -> Self {
        Self::at(&app.address, ip)
    }

    /// A browser for a server at `base` (e.g. one started as a separate process).
    pub fn at(base: &str, ip: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(super::REQUEST_TIMEOUT)
                .build()
                .unwrap(),
            base: base.to_owned(),
            ip: ip.to_owned(),
            jar: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar
            .lock()
            .unwrap()
            .insert(name.to_owned(), value.to_owned());
    }

    pub fn forget_cookie(&self, name: &str) {
        self.jar.lock().unwrap().remove(name);
    }

    fn cookie_header(&self) -> String {
        self.jar
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&self, headers: &HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let Ok(parsed) = cookie::Cookie::parse(value.to_str().unwrap().to_owned()) else {
                continue;
            };
            let expired = parsed.max_age().is_some_and(|age| age.is_zero());
            let mut jar = self.jar.lock().unwrap();
            if expired {
                jar.remove(parsed.name());
            } else {
                jar.insert(parsed.name().to_owned(), parsed.value().to_owned());
            }
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("x-forwarded-for", &self.ip)
            .header("cookie", self.cookie_header())
    }

    async fn finish(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        self.remember(&headers);
        let body = response.text().await.expect("body");
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Calls a server function the way the hydrated page does (form-encoded, JSON answer).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Answer {
        self.finish(
            self.request(reqwest::Method::POST, &format!("/api/{endpoint}"))
                .form(form),
        )
        .await
    }

    /// Posts a form the way a browser without JavaScript does.
    pub async fn post_form(&self, endpoint: &str, form: &[(&str, &str)], referer: &str) -> Answer {
        self.finish(
            self.request(reqwest::Method::POST, &format!("/api/{endpoint}"))
                .header("accept", "text/html")
                .header("referer", format!("{}{referer}", self.base))
                .form(form),
        )
        .await
    }

    /// Posts a plain HTML form to a path outside the server functions (a download).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.finish(
            self.request(reqwest::Method::POST, path)
                .header("accept", "text/html")
                .form(form),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.finish(
            self.request(reqwest::Method::GET, path)
                .header("accept", "text/html"),
        )
        .await
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Answer {
        self.call("log_in", &[("email", email), ("password", password)])
            .await
    }
}

/// Signs up through the server function; returns the answer (always the same on success).
pub async fn sign_up(browser: &Browser, name: &str, email: &str, username: &str) -> Answer {
    browser
        .call(
            "sign_up",
            &[
                ("name", name),
                ("email", email),
                ("username", username),
                ("password", PASSWORD),
            ],
        )
        .await
}

/// The body of a mail as the recipient reads it (quoted-printable undone).
pub fn body_of(mail: &ReceivedMail) -> String {
    let data = mail.data.replace("\r\n", "\n");
    let (head, body) = data.split_once("\n\n").unwrap_or(("", &data));
    let quoted = head
        .to_ascii_lowercase()
        .contains("content-transfer-encoding: quoted-printable");
    if !quoted {
        return body.to_owned();
    }
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The token of the first link to `path` in a mail.
pub fn token_in(mail: &ReceivedMail, path: &str) -> String {
    let body = body_of(mail);
    let marker = format!("{path}?token=");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {path} link in {body}"))
        + marker.len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Waits for the `count`-th mail to `recipient` and returns it.
pub async fn mail_to(sink: &SmtpSink, recipient: &str, count: usize) -> ReceivedMail {
    for _ in 0..200 {
        let mails: Vec<ReceivedMail> = sink
            .received()
            .into_iter()
            .filter(|m| m.to.iter().any(|to| to.contains(recipient)))
            .collect();
        if mails.len() >= count {
            return mails[count - 1].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no mail #{count} to {recipient}");
}

/// Signs up and confirms the address; returns a signed-in browser.
pub async fn verified_customer(
    app: &TestApp,
    sink: &SmtpSink,
    email: &str,
    username: &str,
    ip: &str,
) -> Browser {
    let browser = Browser::new(app, ip);
    assert_eq!(
        sign_up(&browser, "Test User", email, username).await.status,
        StatusCode::OK
    );
    let token = token_in(&mail_to(sink, email, 1).await, "/verify-email");
    let verified = browser.call("verify_email", &[("token", &token)]).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let login = browser.log_in(email, PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    browser
}

/// Creates an account directly (as `create-admin` does), with a confirmed address.
pub async fn create_user(app: &TestApp, email: &str, role: app::auth::Role) {
    use app::server::config::PasswordSettings;
    use app::server::services::passwords::Passwords;
    use app::server::services::users::{self, NewUser};
    let hash = Passwords::new(&PasswordSettings::default())
        .unwrap()
        .hash(PASSWORD)
        .await
        .unwrap();
    users::create(
        &app.db.conn,
        NewUser {
            email: email.to_owned(),
            username: email.split('@').next().unwrap().to_owned(),
            name: "Created".to_owned(),
            password_hash: hash,
            role,
            email_verified: true,
        },
    )
    .await
    .unwrap();
}

/// Creates an account and returns it as a signed-in viewer would be (for calling services
/// directly, without HTTP).
pub async fn viewer_for(
    app: &TestApp,
    email: &str,
    role: app::auth::Role,
    email_verified: bool,
) -> app::auth::Viewer {
    create_user(app, email, role).await;
    let row = entity::users::Entity::find()
        .all(&app.db.conn)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == email)
        .unwrap();
    app::auth::Viewer {
        user_id: row.id,
        session_id: 0,
        name: row.name,
        username: row.username,
        email: row.email,
        role,
        email_verified,
        two_factor: true,
    }
}

/// Creates an admin, signs it in and turns on two-step verification (staff functions need it).
pub async fn admin(app: &TestApp, email: &str, ip: &str) -> Browser {
    create_user(app, email, app::auth::Role::Admin).await;
    let browser = Browser::new(app, ip);
    assert_eq!(browser.log_in(email, PASSWORD).await.status, StatusCode::OK);
    enable_two_factor(&browser).await;
    browser
}

/// A TOTP code for `secret` (base32), `steps` time steps from now.
pub fn totp_code(secret: &str, steps: i64) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let now = chrono::Utc::now().timestamp() + steps * 30;
    totp.generate(u64::try_from(now).unwrap()).to_string()
}

/// Turns on two-step verification for the signed-in browser; returns the secret and the
/// recovery codes.
pub async fn enable_two_factor(browser: &Browser) -> (String, Vec<String>) {
    let setup: serde_json::Value =
        serde_json::from_str(&browser.call("two_factor_setup", &[]).await.body).unwrap();
    let secret = setup["secret_base32"].as_str().unwrap().to_owned();
    let enabled = browser
        .call("enable_two_factor", &[("code", &totp_code(&secret, 0))])
        .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.body);
    let shown: serde_json::Value =
        serde_json::from_str(&browser.call("two_factor_setup", &[]).await.body).unwrap();
    let codes = shown["new_recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

/// Lets the next TOTP code of every account be accepted again (tests that are not about
/// replay protection would otherwise wait for the next 30-second step).
pub async fn forget_used_totp_steps(app: &TestApp) {
    app.execute("UPDATE users SET totp_last_step = NULL").await;
}

/// The name of the session cookie on a plain-http test server.
pub const SESSION: &str = "codexapi_session";
pub const DEVICE: &str = "codexapi_device";

/// Everything the database holds, as text: the SQLite file's raw bytes (including free pages
/// and the write-ahead log), or every row of every PostgreSQL table.
pub async fn database_text(app: &TestApp) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    if let Some(file) = &app.sqlite_file {
        let mut text = String::new();
        for suffix in ["", "-wal"] {
            if let Ok(bytes) = std::fs::read(format!("{}{suffix}", file.display())) {
                text.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
        return text;
    }
    let backend = app.db_backend();
    let tables = app
        .db
        .conn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        ))
        .await
        .unwrap();
    let mut text = String::new();
    for table in tables {
        let name: String = table.try_get("", "tablename").unwrap();
        let rows = app
            .db
            .conn
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT row_to_json(t)::text AS row FROM \"{name}\" t"),
            ))
            .await
            .unwrap();
        for row in rows {
            let line: String = row.try_get("", "row").unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}
