//! The privacy policy document: our own text filled in with the deployment's details, or the
//! operator's Markdown file. Rendered to HTML once at start-up.

use super::ServiceError;
use crate::server::config::Settings;
use pulldown_cmark::{html, Event, Options, Parser};

const BUILT_IN_POLICY: &str = include_str!("legal/privacy-policy.md");

/// Loads and renders the policy. A configured file that cannot be read is an error, so a typo in
/// the path fails start-up instead of silently showing the wrong text.
pub fn privacy_policy_html(settings: &Settings) -> Result<String, ServiceError> {
    let markdown = match &settings.privacy.policy_file {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            ServiceError::Invalid(format!(
                "privacy.policy_file {} cannot be read: {e}",
                path.display()
            ))
        })?,
        None => fill_placeholders(BUILT_IN_POLICY, settings),
    };
    Ok(render_markdown(&markdown))
}

fn fill_placeholders(template: &str, settings: &Settings) -> String {
    template
        .replace("{site_name}", &settings.site.name)
        .replace("{site_url}", settings.public_base_url())
        .replace("{controller}", &settings.site.controller_name)
        .replace("{privacy_email}", &settings.site.privacy_email)
        .replace("{support_email}", &settings.site.support_email)
        .replace("{effective_date}", &settings.privacy.policy_version)
}

/// Markdown to HTML. Raw HTML in the source is shown as text, never passed through: the page's
/// CSP would block scripts anyway, but markup injected into our layout is not wanted either.
pub fn render_markdown(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_policy_names_the_configured_controller_contact_and_date() {
        let mut settings = Settings::default();
        settings.site.controller_name = "Example Ltd".to_owned();
        settings.site.privacy_email = "dpo@example.org".to_owned();
        settings.privacy.policy_version = "2027-01-02".to_owned();
        let html = privacy_policy_html(&settings).expect("renders");
        assert!(html.contains("Example Ltd"));
        assert!(html.contains("dpo@example.org"));
        assert!(html.contains("2027-01-02"));
        assert!(!html.contains('{'), "a placeholder was left unfilled");
    }

    #[test]
    fn raw_html_in_an_operator_file_is_escaped() {
        let html = render_markdown("# Policy\n\n<script>alert(1)</script>\n");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn an_operator_file_replaces_the_built_in_text() {
        let dir = tempfile_dir();
        let path = dir.join("policy.md");
        std::fs::write(&path, "# Our own policy\n\nWe keep nothing.").expect("write");
        let mut settings = Settings::default();
        settings.privacy.policy_file = Some(path);
        let html = privacy_policy_html(&settings).expect("renders");
        assert!(html.contains("<h1>Our own policy</h1>"));
    }

    #[test]
    fn a_missing_operator_file_is_an_error() {
        let mut settings = Settings::default();
        settings.privacy.policy_file = Some("/nonexistent/policy.md".into());
        assert!(privacy_policy_html(&settings).is_err());
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("codexapi-legal-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }
}
