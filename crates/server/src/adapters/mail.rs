//! Mail delivery: the adapter words each mail for its reader, writes it to the outbox
//! (so nothing is lost if a relay is down, and the embedded default needs no relay), and,
//! when an SMTP relay is configured, hands it over and marks it sent.

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use lyceum_infra_seaorm::{OutboxMail, OutboxMailer};
use lyceum_ports::system::{MailError, MailMessage, Mailer, OutgoingMail};
use time::OffsetDateTime;

/// Words mail, keeps it in the outbox, and sends it through an SMTP relay when one is
/// configured (`LYCEUM_SMTP_URL`, an `smtp://` or `smtps://` URL).
pub struct MailDelivery {
    outbox: OutboxMailer,
    relay: Option<Relay>,
}

struct Relay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl MailDelivery {
    /// Outbox only: the embedded default, with nothing to install.
    pub fn outbox_only(outbox: OutboxMailer) -> Self {
        Self {
            outbox,
            relay: None,
        }
    }

    /// Outbox and relay; a bad URL or sender address is a start-up error, whose
    /// message never repeats the URL's credentials.
    pub fn with_smtp(outbox: OutboxMailer, smtp_url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| {
                let reason = crate::config::scrub(&e.to_string(), smtp_url);
                MailError(format!("LYCEUM_SMTP_URL: {reason}"))
            })?
            .build();
        let from = from
            .parse()
            .map_err(|e| MailError(format!("LYCEUM_MAIL_FROM: {e}")))?;
        Ok(Self {
            outbox,
            relay: Some(Relay { transport, from }),
        })
    }
}

/// The subject and body of a mail, in the words its reader gets. Paths name the API
/// operation that takes the code, since the API is what Lyceum serves.
pub fn worded(mail: &OutgoingMail) -> OutboxMail {
    let (subject, body) = match &mail.message {
        MailMessage::EmailVerification {
            first_name,
            code,
            valid_for,
        } => (
            "Confirm your email address",
            format!(
                "Hello {first_name},\n\nConfirm your email address for Lyceum with this code:\n\n{code}\n\nSend it to POST /api/v1/auth/email/verify as {{\"token\": \"…\"}}. It expires in {} hours.\n",
                valid_for.whole_hours()
            ),
        ),
        MailMessage::PasswordReset {
            first_name,
            code,
            valid_for,
        } => (
            "Reset your password",
            format!(
                "Hello {first_name},\n\nSomeone asked to reset the password of your Lyceum account. If it was you, send this code to POST /api/v1/auth/password/reset with your new password:\n\n{code}\n\nIt expires in {} minutes. If it was not you, ignore this mail.\n",
                valid_for.whole_minutes()
            ),
        ),
    };
    OutboxMail {
        id: mail.id,
        to: mail.to.clone(),
        subject: subject.to_owned(),
        body,
        created_at: mail.created_at,
    }
}

#[async_trait]
impl Mailer for MailDelivery {
    async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let mail = worded(&mail);
        self.outbox
            .store(&mail)
            .await
            .map_err(|e| MailError(e.to_string()))?;
        let Some(relay) = &self.relay else {
            return Ok(());
        };
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| MailError(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(relay.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .body(mail.body.clone())
            .map_err(|e| MailError(e.to_string()))?;
        match relay.transport.send(message).await {
            Ok(_) => {
                if let Err(error) = self
                    .outbox
                    .mark_sent(mail.id, OffsetDateTime::now_utc())
                    .await
                {
                    tracing::warn!(mail_id = %mail.id, %error, "mail sent but not marked in the outbox");
                }
                Ok(())
            }
            Err(error) => {
                tracing::warn!(mail_id = %mail.id, %error, "SMTP delivery failed; the mail stays unsent in the outbox");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use lyceum_infra_seaorm::{Database, DbSettings};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;
    use uuid::Uuid;

    use super::*;

    /// A minimal SMTP sink on loopback that records what it receives.
    async fn smtp_sink() -> (u16, Arc<Mutex<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(String::new()));
        let log = received.clone();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                log.lock().unwrap().push_str(&format!("{line}\n"));
                let reply: &[u8] = if in_data {
                    if line == "." {
                        in_data = false;
                        b"250 queued\r\n"
                    } else {
                        continue;
                    }
                } else if line.starts_with("EHLO") || line.starts_with("HELO") {
                    b"250 sink\r\n"
                } else if line.starts_with("DATA") {
                    in_data = true;
                    b"354 go ahead\r\n"
                } else if line.starts_with("QUIT") {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                } else {
                    b"250 OK\r\n"
                };
                write.write_all(reply).await.unwrap();
            }
        });
        (port, received)
    }

    #[tokio::test]
    async fn mail_is_kept_in_the_outbox_and_delivered_over_smtp() {
        let path =
            std::env::temp_dir().join(format!("lyceum_smtp_{}.sqlite", Uuid::now_v7().simple()));
        let url = format!("sqlite:{}?mode=rwc", path.display());
        let db = Database::connect(&DbSettings {
            url,
            max_connections: 2,
            busy_timeout: std::time::Duration::from_secs(5),
        })
        .await
        .unwrap();
        db.migrate().await.unwrap();
        let (port, received) = smtp_sink().await;
        let outbox = OutboxMailer::new(&db);
        let mailer = MailDelivery::with_smtp(
            outbox.clone(),
            &format!("smtp://127.0.0.1:{port}"),
            "Lyceum <no-reply@lyceum.local>",
        )
        .unwrap();
        let mail = OutgoingMail {
            id: Uuid::now_v7(),
            to: "asha@example.com".into(),
            message: MailMessage::EmailVerification {
                first_name: "Asha".into(),
                code: "abc123".into(),
                valid_for: time::Duration::hours(24),
            },
            created_at: OffsetDateTime::now_utc(),
        };
        mailer.send(mail).await.unwrap();
        let transcript = received.lock().unwrap().clone();
        assert!(
            transcript.contains("RCPT TO:<asha@example.com>"),
            "{transcript}"
        );
        assert!(transcript.contains("abc123"), "{transcript}");
        assert!(
            transcript.contains("Confirm your email address"),
            "the adapter words the mail: {transcript}"
        );
        let stored = outbox.sent_to("asha@example.com").await.unwrap();
        assert_eq!(stored.len(), 1, "the outbox keeps every mail");
        db.close().await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
