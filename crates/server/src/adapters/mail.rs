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
    /// Builds the transport; a bad URL or sender address is a start-up error.
    pub fn new(outbox: OutboxMailer, smtp_url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| MailError(format!("LYCEUM_SMTP_URL: {e}")))?
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
