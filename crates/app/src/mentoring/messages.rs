//! Direct messages between people who share mentoring (Mentori).

use lyceum_domain::Violation;
use lyceum_domain::community::NotificationKind;
use lyceum_domain::mentoring::{Message, MessageBody};
use lyceum_ports::mentoring::ConversationSummary;
use lyceum_ports::outbox::Outbox;
use lyceum_ports::{Page, PageRequest};
use uuid::Uuid;

use crate::Resource;
use crate::community::NotificationDraft;
use crate::identity::Actor;
use crate::{AppError, Lyceum};
use lyceum_domain::community::{Subject, SubjectKind};

impl Lyceum {
    /// Sends a message. Only people who share a booking, a session or a request may write
    /// to each other (403 otherwise), so the inbox cannot be used for spam.
    pub async fn send_message(
        &self,
        actor: &Actor,
        recipient_id: Uuid,
        body: MessageBody,
    ) -> Result<Message, AppError> {
        if recipient_id == actor.id() {
            return Err(AppError::invalid(
                "recipient_id",
                Violation::NotAllowed,
                "you cannot write to yourself",
            ));
        }
        let recipient = self.ports.users.by_id(recipient_id).await?;
        if !recipient.is_some_and(|r| r.deleted_at.is_none() && r.is_active) {
            return Err(AppError::NotFound(Resource::User));
        }
        if !self
            .ports
            .messages
            .share_mentoring(actor.id(), recipient_id)
            .await?
        {
            return Err(AppError::Forbidden);
        }
        let message = Message {
            id: self.ports.ids.new_id(),
            sender_id: actor.id(),
            recipient_id,
            body,
            created_at: self.ports.clock.now(),
            read_at: None,
        };
        let preview: String = message.body.chars().take(80).collect();
        let outbox = Outbox::notices(vec![self.notice(NotificationDraft {
            user_id: recipient_id,
            kind: NotificationKind::NewMessage,
            subject: Subject::new(SubjectKind::Conversation, actor.id()),
            data: serde_json::json!({"message_id": message.id, "sender_id": actor.id(),
                                     "sender_username": actor.user.username.as_str(), "preview": preview}),
        })]);
        Ok(self.ports.messages.send(message, outbox).await?)
    }

    /// My conversations with the last message and unread count.
    pub async fn my_conversations(
        &self,
        actor: &Actor,
    ) -> Result<Vec<ConversationSummary>, AppError> {
        Ok(self.ports.messages.conversations(actor.id()).await?)
    }

    /// The history with one person, newest first.
    pub async fn conversation(
        &self,
        actor: &Actor,
        other_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Message>, AppError> {
        Ok(self
            .ports
            .messages
            .between(actor.id(), other_id, page)
            .await?)
    }

    /// Marks everything the other person sent me as read (read receipts).
    pub async fn mark_conversation_read(
        &self,
        actor: &Actor,
        other_id: Uuid,
    ) -> Result<u64, AppError> {
        Ok(self
            .ports
            .messages
            .mark_read(actor.id(), other_id, self.ports.clock.now())
            .await?)
    }
}
