//! The account emails. Bodies are plain text and hold no secret: a link goes where
//! [`LINK_MARKER`] stands and is minted when the email is sent.

use crate::paths;
use crate::server::config::Settings;
use crate::server::services::account_tokens::TokenPurpose;
use crate::server::services::email::{NewEmail, LINK_MARKER};
use entity::users;

/// Asks a new customer to confirm their address.
pub fn verify_email(site: &str, user: &users::Model) -> NewEmail {
    NewEmail {
        recipient: user.email.clone(),
        template: "verify_email",
        subject: format!("{site}: confirm your email address"),
        body_text: format!(
            "Hello {name},\n\n\
             Please confirm that this is your email address by opening this link:\n\n\
             {LINK_MARKER}\n\n\
             The link works once and expires in 24 hours. Until you confirm, you can sign in but \
             cannot create API tokens or buy credit.\n\n\
             If you did not sign up for {site}, you can ignore this email.\n",
            name = user.name,
        ),
        link: Some((user.id, TokenPurpose::VerifyEmail)),
    }
}

/// Someone signed up with an address that already has an account; tell its owner, not them.
pub fn sign_up_with_existing_address(
    site: &str,
    settings: &Settings,
    user: &users::Model,
) -> NewEmail {
    let base = settings.public_base_url();
    NewEmail {
        recipient: user.email.clone(),
        template: "sign_up_existing",
        subject: format!("{site}: someone tried to sign up with your address"),
        body_text: format!(
            "Hello {name},\n\n\
             Someone (perhaps you) tried to create a new {site} account with this email address, \
             which already has one. No new account was created.\n\n\
             To sign in: {base}{login}\n\
             Forgot your password? {base}{forgot}\n\n\
             If this was not you, no action is needed.\n",
            name = user.name,
            login = paths::LOG_IN,
            forgot = paths::FORGOT_PASSWORD,
        ),
        link: None,
    }
}

/// A password-reset link.
pub fn reset_password(site: &str, user: &users::Model) -> NewEmail {
    NewEmail {
        recipient: user.email.clone(),
        template: "reset_password",
        subject: format!("{site}: reset your password"),
        body_text: format!(
            "Hello {name},\n\n\
             Someone asked to reset the password of your {site} account. To choose a new \
             password, open this link:\n\n\
             {LINK_MARKER}\n\n\
             The link works once and expires in 60 minutes. Resetting signs out every device; \
             two-step verification, if you use it, is still asked at the next sign-in.\n\n\
             If you did not ask for this, ignore this email: your password stays as it is.\n",
            name = user.name,
        ),
        link: Some((user.id, TokenPurpose::ResetPassword)),
    }
}

/// Tells the owner their password changed, with what to do if it was not them.
pub fn password_changed(site: &str, settings: &Settings, user: &users::Model) -> NewEmail {
    NewEmail {
        recipient: user.email.clone(),
        template: "password_changed",
        subject: format!("{site}: your password was changed"),
        body_text: format!(
            "Hello {name},\n\n\
             The password of your {site} account was just changed, and your other sessions were \
             signed out.\n\n\
             If this was not you, reset your password now at {base}{forgot} and contact {support}.\n",
            name = user.name,
            base = settings.public_base_url(),
            forgot = paths::FORGOT_PASSWORD,
            support = settings.site.support_email,
        ),
        link: None,
    }
}

/// A single-use sign-in link.
pub fn magic_link(site: &str, user: &users::Model) -> NewEmail {
    NewEmail {
        recipient: user.email.clone(),
        template: "magic_link",
        subject: format!("{site}: your sign-in link"),
        body_text: format!(
            "Hello {name},\n\n\
             Open this link to sign in to {site}:\n\n\
             {LINK_MARKER}\n\n\
             The link works once and expires in 15 minutes. If you use two-step verification, \
             you will still be asked for a code.\n\n\
             If you did not ask for this, ignore this email.\n",
            name = user.name,
        ),
        link: Some((user.id, TokenPurpose::MagicLogin)),
    }
}

/// Confirms a new address; sent to the new address.
pub fn confirm_new_email(site: &str, user: &users::Model, new_email: &str) -> NewEmail {
    NewEmail {
        recipient: new_email.to_owned(),
        template: "change_email",
        subject: format!("{site}: confirm your new email address"),
        body_text: format!(
            "Hello {name},\n\n\
             Please confirm that {new_email} should become the email address of your {site} \
             account by opening this link:\n\n\
             {LINK_MARKER}\n\n\
             The link works once and expires in 24 hours. Until then, your account keeps its \
             current address.\n",
            name = user.name,
        ),
        link: Some((user.id, TokenPurpose::ChangeEmail)),
    }
}

/// Tells the current address that a change was requested.
pub fn email_change_requested(
    site: &str,
    settings: &Settings,
    user: &users::Model,
    new_email: &str,
) -> NewEmail {
    NewEmail {
        recipient: user.email.clone(),
        template: "email_change_requested",
        subject: format!("{site}: a change of your email address was requested"),
        body_text: format!(
            "Hello {name},\n\n\
             Someone signed in to your {site} account asked to change its email address to \
             {new_email}. The change happens only when the link sent to that address is opened.\n\n\
             If this was not you, reset your password now at {base}{forgot} and contact \
             {support}.\n",
            name = user.name,
            base = settings.public_base_url(),
            forgot = paths::FORGOT_PASSWORD,
            support = settings.site.support_email,
        ),
        link: None,
    }
}
