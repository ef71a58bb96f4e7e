//! Email through the outbox. A message is written in the same transaction as the change it
//! tells about; the sender delivers it through the configured SMTP server. With no server
//! configured, messages stay in the outbox, where stewards read them.

use crate::config::{SmtpConfig, SmtpSecurity};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use planet_store::queries::outbox;
use planet_store::{ConnectionTrait, StoreResult};
use std::time::Duration;

const MAX_ATTEMPTS: i32 = 5;

/// Queue an email. Call inside the use case's transaction, then `state.wake_mailer()`.
pub async fn queue(
    db: &impl ConnectionTrait,
    to: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    outbox::enqueue(db, to, subject, body, false, now).await?;
    Ok(())
}

/// Queue an email that carries a secret link (a password reset).
pub async fn queue_secret(
    db: &impl ConnectionTrait,
    to: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    outbox::enqueue(db, to, subject, body, true, now).await?;
    Ok(())
}

/// The body with secret links cut short, for showing to stewards.
pub fn redact_secrets(body: &str) -> String {
    const MARK: &str = "/reset-password/";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(MARK) {
        let (before, after) = rest.split_at(at + MARK.len());
        out.push_str(before);
        out.push_str("[hidden]");
        rest = after.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    }
    out.push_str(rest);
    out
}

fn transport(smtp: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match smtp.security {
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        SmtpSecurity::Starttls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host).map_err(|e| e.to_string())?
        }
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host).map_err(|e| e.to_string())?,
    };
    let mut builder = builder.port(smtp.port).timeout(Some(Duration::from_secs(20)));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// Deliver waiting messages until the server stops. Does nothing without SMTP settings.
pub async fn run_sender(state: AppState) {
    let Some(smtp) = state.config().smtp.clone() else {
        return;
    };
    let mailer = match transport(&smtp) {
        Ok(mailer) => mailer,
        Err(err) => {
            tracing::error!(%err, "SMTP settings are not usable; mail stays in the outbox");
            return;
        }
    };
    let from: Mailbox = match smtp.from.parse() {
        Ok(from) => from,
        Err(err) => {
            tracing::error!(%err, "smtp.from is not an email address; mail stays in the outbox");
            return;
        }
    };
    loop {
        if let Err(err) = deliver_waiting(&state, &mailer, &from).await {
            tracing::warn!(%err, "could not read the outbox");
        }
        tokio::select! {
            _ = state.mail_waiting() => {}
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
        }
    }
}

async fn deliver_waiting(
    state: &AppState,
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> StoreResult<()> {
    for message in outbox::unsent(state.db(), MAX_ATTEMPTS, 50).await? {
        let email = message.to_address.parse::<Mailbox>().map_err(|e| e.to_string()).and_then(|to| {
            Message::builder()
                .from(from.clone())
                .to(to)
                .subject(message.subject.clone())
                .body(message.body.clone())
                .map_err(|e| e.to_string())
        });
        let result = match email {
            Ok(email) => mailer.send(email).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(err) => Err(err),
        };
        match result {
            Ok(()) => outbox::mark_sent(state.db(), message.id, state.now()).await?,
            Err(err) => {
                tracing::warn!(to = %message.to_address, %err, "email not delivered");
                outbox::mark_failed(state.db(), message.id, &err).await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_links_are_hidden() {
        assert_eq!(
            super::redact_secrets("open http://x/reset-password/AbC_12-z now and http://x/reset-password/q."),
            "open http://x/reset-password/[hidden] now and http://x/reset-password/[hidden]."
        );
        assert_eq!(super::redact_secrets("no links"), "no links");
    }
}
