//! Mentorship requests: a learner asks a mentor for a 1:1.

use lyceum_domain::community::NotificationKind;
use lyceum_domain::mentoring::{
    Booking, BookingStatus, Capacity, MeetingUrl, MentoringSession, MentorshipRequest,
    PaymentStatus, Popularity, RequestDetails, RequestNote, RequestStatus, SessionDescription,
    SessionDuration, SessionStatus, SessionTitle, generated_meeting_url,
};
use lyceum_domain::{Currency, FieldErrors, Money, Violation};
use lyceum_ports::mentoring::RequestSide;
use lyceum_ports::outbox::Outbox;
use lyceum_ports::{Conflict, Page, PageRequest, RepoError};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Resource;
use crate::community::NotificationDraft;
use crate::identity::Actor;
use crate::mentoring::MentoringError;
use crate::{AppError, Lyceum};
use lyceum_domain::community::{Subject, SubjectKind};

/// A request as the learner types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInput {
    /// The mentor asked.
    pub mentor_id: Uuid,
    /// Subject.
    pub subject: String,
    /// Message.
    pub message: String,
    /// Proposed start.
    pub proposed_start: OffsetDateTime,
    /// 30–180 minutes.
    pub duration_minutes: i64,
    /// Notes.
    pub notes: Option<String>,
}

/// What a participant does to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestAction {
    /// The mentor accepts, optionally with a meeting link and a message.
    Accept {
        /// Video room; generated when absent.
        meeting_url: Option<String>,
        /// Answer to the learner.
        response_message: Option<String>,
    },
    /// The mentor declines with a message.
    Decline {
        /// Why (required).
        response_message: String,
    },
    /// The learner withdraws a pending request, or either side calls off an accepted one.
    Cancel,
}

fn stale(error: RepoError) -> AppError {
    match error {
        RepoError::Conflict(Conflict::StaleState) => MentoringError::RequestChanged.into(),
        RepoError::NotFound => AppError::NotFound(Resource::MentorshipRequest),
        other => other.into(),
    }
}

impl Lyceum {
    /// Sends a request to a mentor. Any account may send one (every account may learn);
    /// nobody can request themself, and the one asked must mentor (`User::can_mentor`),
    /// otherwise there is no such mentor.
    pub async fn request_mentorship(
        &self,
        actor: &Actor,
        input: RequestInput,
    ) -> Result<MentorshipRequest, AppError> {
        let now = self.ports.clock.now();
        let details = RequestDetails::parse(
            actor.id(),
            input.mentor_id,
            &input.subject,
            &input.message,
            input.proposed_start,
            input.duration_minutes,
            input.notes.as_deref(),
            now,
        )
        .map_err(|errors| {
            let mut e = FieldErrors::new();
            for (field, error) in errors {
                e.reject(field, error);
            }
            AppError::Validation(e)
        })?;
        let mentor = self.ports.users.by_id(input.mentor_id).await?;
        if !mentor.is_some_and(|m| m.can_mentor()) {
            return Err(AppError::NotFound(Resource::Mentor));
        }
        let request = MentorshipRequest {
            id: self.ports.ids.new_id(),
            learner_id: actor.id(),
            mentor_id: input.mentor_id,
            subject: details.subject,
            message: details.message,
            proposed_start: details.proposed_start,
            duration_minutes: details.duration_minutes,
            notes: details.notes,
            status: RequestStatus::Pending,
            response_message: None,
            session_id: None,
            created_at: now,
            updated_at: now,
        };
        let outbox = self.request_outbox(
            &request,
            RequestStatus::Pending,
            None,
            request.mentor_id,
            NotificationKind::RequestReceived,
        );
        Ok(self.ports.requests.create(request, outbox).await?)
    }

    /// What a request's change tells the other side: the request as it will stand
    /// (`status`, and its 1:1 session once accepted).
    fn request_outbox(
        &self,
        request: &MentorshipRequest,
        status: RequestStatus,
        session_id: Option<Uuid>,
        user_id: Uuid,
        kind: NotificationKind,
    ) -> Outbox {
        Outbox::notices(vec![self.notice(NotificationDraft {
            user_id,
            kind,
            subject: Subject::new(SubjectKind::MentorshipRequest, request.id),
            data: serde_json::json!({"request_id": request.id, "status": status.as_str(),
                                     "request_subject": request.subject.as_str(), "session_id": session_id}),
        })])
    }

    /// A request, for its two participants only; anyone else gets "not found".
    pub async fn mentorship_request(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<MentorshipRequest, AppError> {
        let request = self
            .ports
            .requests
            .by_id(id)
            .await?
            .ok_or(AppError::NotFound(Resource::MentorshipRequest))?;
        if request.learner_id != actor.id() && request.mentor_id != actor.id() {
            return Err(AppError::NotFound(Resource::MentorshipRequest));
        }
        Ok(request)
    }

    /// Applies a participant's action under the request state machine (docs/domain-model.md);
    /// any other transition is 409 `request.invalid_transition`, and only the mentor accepts or
    /// declines. Accepting needs the mentor still to mentor, and the 1:1 it creates must
    /// not overlap another of the mentor's sessions (the store checks under the mentor's
    /// lock); declining and cancelling stay open to a former mentor, to wind down.
    pub async fn act_on_request(
        &self,
        actor: &Actor,
        id: Uuid,
        action: RequestAction,
    ) -> Result<MentorshipRequest, AppError> {
        let request = self.mentorship_request(actor, id).await?;
        let now = self.ports.clock.now();
        let is_mentor = request.mentor_id == actor.id();
        match action {
            RequestAction::Accept {
                meeting_url,
                response_message,
            } => {
                if !is_mentor {
                    return Err(AppError::Forbidden);
                }
                if !actor.user.can_mentor() {
                    return Err(MentoringError::MentorRoleRequired.into());
                }
                request.status.transition(RequestStatus::Accepted)?;
                if request.proposed_start <= now {
                    return Err(MentoringError::RequestStartPassed.into());
                }
                let meeting_url = match meeting_url.as_deref() {
                    Some(url) => MeetingUrl::parse_optional(url)?,
                    None => None,
                };
                let session = self.one_to_one_session(&request, meeting_url, now)?;
                let booking = Booking {
                    id: self.ports.ids.new_id(),
                    session_id: session.id,
                    learner_id: request.learner_id,
                    status: BookingStatus::Confirmed,
                    payment_status: PaymentStatus::Paid,
                    amount: session.price,
                    hold_expires_at: None,
                    payment_reference: None,
                    cancelled_by: None,
                    cancellation_reason: None,
                    created_at: now,
                    updated_at: now,
                };
                let answer = response_note(response_message.as_deref())?;
                let outbox = self.request_outbox(
                    &request,
                    RequestStatus::Accepted,
                    Some(session.id),
                    request.learner_id,
                    NotificationKind::RequestAccepted,
                );
                let accepted = self
                    .ports
                    .requests
                    .accept(id, session, booking, answer, now, outbox)
                    .await
                    .map_err(stale)?;
                Ok(accepted)
            }
            RequestAction::Decline { response_message } => {
                if !is_mentor {
                    return Err(AppError::Forbidden);
                }
                request.status.transition(RequestStatus::Declined)?;
                let message = response_note(Some(&response_message))?.ok_or_else(|| {
                    AppError::invalid(
                        "response_message",
                        Violation::Required,
                        "a reason is required when declining",
                    )
                })?;
                let outbox = self.request_outbox(
                    &request,
                    RequestStatus::Declined,
                    request.session_id,
                    request.learner_id,
                    NotificationKind::RequestDeclined,
                );
                let declined = self
                    .ports
                    .requests
                    .transition(
                        id,
                        RequestStatus::Pending,
                        RequestStatus::Declined,
                        Some(message),
                        now,
                        outbox,
                    )
                    .await
                    .map_err(stale)?;
                Ok(declined)
            }
            RequestAction::Cancel => {
                request.status.transition(RequestStatus::Cancelled)?;
                let other = if is_mentor {
                    request.learner_id
                } else {
                    request.mentor_id
                };
                let outbox = self.request_outbox(
                    &request,
                    RequestStatus::Cancelled,
                    request.session_id,
                    other,
                    NotificationKind::RequestCancelled,
                );
                let cancelled = match request.status {
                    RequestStatus::Pending if !is_mentor => self
                        .ports
                        .requests
                        .transition(
                            id,
                            RequestStatus::Pending,
                            RequestStatus::Cancelled,
                            None,
                            now,
                            outbox,
                        )
                        .await
                        .map_err(stale)?,
                    RequestStatus::Pending => {
                        return Err(MentoringError::MentorMustDecline.into());
                    }
                    _ => self
                        .ports
                        .requests
                        .cancel_accepted(id, actor.id(), now, outbox)
                        .await
                        .map_err(stale)?,
                };
                Ok(cancelled)
            }
        }
    }

    fn one_to_one_session(
        &self,
        request: &MentorshipRequest,
        meeting_url: Option<MeetingUrl>,
        now: OffsetDateTime,
    ) -> Result<MentoringSession, AppError> {
        let id = self.ports.ids.new_id();
        let currency =
            Currency::parse(&self.settings.default_currency).map_err(AppError::internal)?;
        Ok(MentoringSession {
            id,
            mentor_id: request.mentor_id,
            // A request's subject and message always fit a session's title and description.
            title: SessionTitle::parse(&request.subject).map_err(AppError::internal)?,
            description: SessionDescription::parse(&request.message).map_err(AppError::internal)?,
            specialization_id: None,
            duration: SessionDuration::minutes(i64::from(request.duration_minutes))?,
            price: Money::new(0, currency).map_err(AppError::internal)?,
            capacity: Capacity::new(1)?,
            seats_taken: 1,
            starts_at: request.proposed_start,
            meeting_url: meeting_url.unwrap_or_else(|| generated_meeting_url(id)),
            status: SessionStatus::Scheduled,
            request_id: Some(request.id),
            popularity: Popularity {
                bookings: 1,
                ..Popularity::default()
            },
            created_at: now,
            updated_at: now,
        })
    }

    /// My requests, sent or received, newest first.
    pub async fn my_requests(
        &self,
        actor: &Actor,
        side: RequestSide,
        status: Option<RequestStatus>,
        page: PageRequest,
    ) -> Result<Page<MentorshipRequest>, AppError> {
        Ok(self
            .ports
            .requests
            .of_user(actor.id(), side, status, page)
            .await?)
    }
}

/// The mentor's answer, through the note rule; a blank answer is none.
fn response_note(raw: Option<&str>) -> Result<Option<RequestNote>, AppError> {
    raw.map(RequestNote::parse)
        .transpose()
        .map(Option::flatten)
        .map_err(|e| AppError::rejected("response_message", e))
}
