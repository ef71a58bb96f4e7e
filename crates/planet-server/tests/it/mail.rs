//! Email through a real SMTP listener (a small one, in the test).

use crate::helpers::{spawn_app_with, start_time};
use planet_server::config::{SmtpConfig, SmtpSecurity};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Accepts one conversation at a time and hands each message's DATA to the channel.
async fn smtp_listener() -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test.example ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    match verb.as_str() {
                        "EHLO" | "HELO" => write.write_all(b"250 test.example\r\n").await.unwrap(),
                        "MAIL" | "RCPT" | "RSET" | "NOOP" => write.write_all(b"250 OK\r\n").await.unwrap(),
                        "DATA" => {
                            write.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut data = String::new();
                            while let Ok(Some(line)) = lines.next_line().await {
                                if line == "." {
                                    break;
                                }
                                data.push_str(&line);
                                data.push('\n');
                            }
                            write.write_all(b"250 queued\r\n").await.unwrap();
                            tx.send(data).await.unwrap();
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => write.write_all(b"502 not implemented\r\n").await.unwrap(),
                    }
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn mail_is_delivered_through_the_configured_server() {
    let (port, mut received) = smtp_listener().await;
    let app = spawn_app_with(|config| {
        config.smtp = Some(SmtpConfig {
            host: "127.0.0.1".to_owned(),
            port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "PlaNet Diss <planet@diss.example>".to_owned(),
        });
    })
    .await;
    app.set_up().await;
    app.browser().post("/forgot-password", &[("email", "margaret@diss.example")]).await;
    let message = tokio::time::timeout(std::time::Duration::from_secs(20), received.recv()).await.unwrap().unwrap();
    assert!(message.contains("To: margaret@diss.example"), "{message}");
    assert!(message.contains("From: \"PlaNet Diss\" <planet@diss.example>"), "{message}");
    // The body is quoted-printable: undo its soft line breaks before looking for the link.
    let body = message.replace("=\n", "").replace("=3D", "=");
    assert!(body.contains(&format!("{}/reset-password/", app.base)), "{body}");
    // The outbox records it as sent.
    let sent = loop {
        let email = app.last_email_to("margaret@diss.example").await;
        if email.sent_at.is_some() {
            break email;
        }
        tokio::task::yield_now().await;
    };
    assert!(sent.sent_at.unwrap() >= start_time());
    // And the stewards' outbox no longer shows the secret link.
    let steward = app.log_in("margaret@diss.example", crate::helpers::PASSWORD).await;
    let (_, page) = steward.get_text(&format!("/admin/outbox/{}", sent.id)).await;
    assert!(page.contains("Sent") && page.contains("[hidden]"), "{page}");
}
