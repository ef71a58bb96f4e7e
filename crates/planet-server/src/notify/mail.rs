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
    outbox::enqueue(db, to, subject, body, now).await?;
    Ok(())
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
