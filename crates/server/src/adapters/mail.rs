//! SMTP delivery on top of the outbox: every mail is written to the outbox first (so
//! nothing is lost if the relay is down), then handed to the relay and marked sent.

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use lyceum_infra_seaorm::OutboxMailer;
use lyceum_ports::system::{MailError, Mailer, OutgoingMail};
use time::OffsetDateTime;

/// Sends through an SMTP relay given as `smtp://`, `smtps://` URL (`LYCEUM_SMTP_URL`).
pub struct SmtpMailer {
    outbox: OutboxMailer,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// Builds the transport; a bad URL or sender address is a start-up error, whose
    /// message never repeats the URL's credentials.
    pub fn new(outbox: OutboxMailer, smtp_url: &str, from: &str) -> Result<Self, MailError> {
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
            transport,
            from,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        self.outbox.send(mail.clone()).await?;
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| MailError(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .body(mail.body.clone())
            .map_err(|e| MailError(e.to_string()))?;
        match self.transport.send(message).await {
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
        let mailer = SmtpMailer::new(
            outbox.clone(),
            &format!("smtp://127.0.0.1:{port}"),
            "Lyceum <no-reply@lyceum.local>",
        )
        .unwrap();
        let mail = OutgoingMail {
            id: Uuid::now_v7(),
            to: "asha@example.com".into(),
            subject: "Confirm your email address".into(),
            body: "Your code: abc123".into(),
            created_at: OffsetDateTime::now_utc(),
        };
        mailer.send(mail).await.unwrap();
        let transcript = received.lock().unwrap().clone();
        assert!(
            transcript.contains("RCPT TO:<asha@example.com>"),
            "{transcript}"
        );
        assert!(transcript.contains("Your code: abc123"), "{transcript}");
        let stored = outbox.sent_to("asha@example.com").await.unwrap();
        assert_eq!(stored.len(), 1, "the outbox keeps every mail");
        db.close().await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
