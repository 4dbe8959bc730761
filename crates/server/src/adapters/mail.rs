//! The mail relay: the second half of the transactional outbox. Commands commit their
//! mail as facts in the `mail_outbox` table with their change; the relay, running beside
//! the server, words each committed mail for its reader and, when an SMTP relay is
//! configured, hands it over and marks it sent. Without SMTP (the embedded default) the
//! worded row is where the mail stays, for an operator or the tests to read.
//!
//! Delivery is at least once: a relay that crashes between the SMTP answer and marking
//! the row sent sends that mail again after `RETRY_AFTER`. Several server processes may
//! relay at once: each attempt is claimed by a guarded update first.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use lyceum_infra_seaorm::{OutboxMail, OutboxMailer};
use lyceum_ports::system::{MailMessage, OutgoingMail};
use time::OffsetDateTime;

/// How long a claimed or failed delivery waits before another attempt.
pub const RETRY_AFTER: time::Duration = time::Duration::minutes(1);

/// Mail handled per pass, so one pass stays short.
const BATCH: u64 = 100;

/// Why the relay could not be configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mail relay: {0}")]
pub struct MailError(pub String);

/// Words committed mail and delivers it through an SMTP relay when one is configured
/// (`LYCEUM_SMTP_URL`, an `smtp://` or `smtps://` URL).
pub struct MailRelay {
    outbox: OutboxMailer,
    relay: Option<Relay>,
}

struct Relay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// What one pass of the relay did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayReport {
    /// Mail worded.
    pub worded: usize,
    /// Mail handed to the SMTP relay.
    pub sent: usize,
    /// Deliveries that failed (retried after [`RETRY_AFTER`]).
    pub failed: usize,
}

impl MailRelay {
    /// Outbox only: the embedded default, with nothing to install.
    pub fn outbox_only(outbox: OutboxMailer) -> Self {
        Self {
            outbox,
            relay: None,
        }
    }

    /// Outbox and SMTP; a bad URL or sender address is a start-up error, whose message
    /// never repeats the URL's credentials.
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

    /// Resolves when this process commits mail, so the relay can run a pass at once.
    pub async fn mail_committed(&self) {
        self.outbox.committed().await;
    }

    /// One pass: words what was committed since the last pass, then delivers what is
    /// due. A database error ends the pass; the next pass picks up where it stopped.
    pub async fn run_once(&self, now: OffsetDateTime) -> Result<RelayReport, MailError> {
        let db = |e: lyceum_infra_seaorm::DbError| MailError(e.to_string());
        let mut report = RelayReport::default();
        for mail in self.outbox.unworded(BATCH).await.map_err(db)? {
            let worded = worded(&mail);
            self.outbox
                .store_wording(mail.id, &worded.subject, &worded.body)
                .await
                .map_err(db)?;
            report.worded += 1;
        }
        let Some(relay) = &self.relay else {
            return Ok(report);
        };
        for mail in self
            .outbox
            .due_for_delivery(now, RETRY_AFTER, BATCH)
            .await
            .map_err(db)?
        {
            if !self
                .outbox
                .claim_attempt(mail.id, now, RETRY_AFTER)
                .await
                .map_err(db)?
            {
                continue;
            }
            match deliver(relay, &mail).await {
                Ok(()) => {
                    self.outbox.mark_sent(mail.id, now).await.map_err(db)?;
                    report.sent += 1;
                }
                Err(error) => {
                    tracing::warn!(mail_id = %mail.id, %error, "SMTP delivery failed; retried later");
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }
}

async fn deliver(relay: &Relay, mail: &OutboxMail) -> Result<(), MailError> {
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
    relay
        .transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| MailError(e.to_string()))
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
        let relay = MailRelay::with_smtp(
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
        outbox.queue(mail).await.unwrap();
        let now = OffsetDateTime::now_utc();
        let report = relay.run_once(now).await.unwrap();
        assert_eq!(
            report,
            RelayReport {
                worded: 1,
                sent: 1,
                failed: 0
            }
        );
        let transcript = received.lock().unwrap().clone();
        assert!(
            transcript.contains("RCPT TO:<asha@example.com>"),
            "{transcript}"
        );
        assert!(transcript.contains("abc123"), "{transcript}");
        assert!(
            transcript.contains("Confirm your email address"),
            "the relay words the mail: {transcript}"
        );
        let stored = outbox.sent_to("asha@example.com").await.unwrap();
        assert_eq!(stored.len(), 1, "the outbox keeps every mail");
        assert_eq!(stored[0].subject, "Confirm your email address");
        assert_eq!(
            relay.run_once(now).await.unwrap(),
            RelayReport::default(),
            "a sent mail is neither worded nor sent again"
        );
        db.close().await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
