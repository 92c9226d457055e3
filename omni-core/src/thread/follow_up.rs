//! The staleness check for a planned outbound follow-up: has the customer's situation moved on
//! since the follow-up was planned? A manager must not chase a January enquiry that the customer
//! paid for in March on another channel.

use super::text::Signals;
use super::{ConversationState, Threader};
use crate::error::{Error, ErrorKind, Result};
use crate::message::{Channel, Direction};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a follow-up may be out of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpReasonKind {
    /// The conversation itself is resolved.
    ConversationResolved,
    /// The customer closed the matter in another conversation (`спасибо, получил`).
    ResolvedElsewhere,
    /// A payment was confirmed (in any conversation, on any channel).
    PaymentReceived,
    /// An order was placed or confirmed.
    OrderPlaced,
    /// The customer says they paid.
    PaymentClaimed,
    /// The customer wrote since (read it before following up); not decisive alone.
    CustomerWrote,
    /// We already wrote in this conversation since; not decisive alone.
    AlreadyFollowedUp,
}

impl FollowUpReasonKind {
    /// Whether this reason alone means the situation moved on.
    pub fn is_decisive(self) -> bool {
        !matches!(
            self,
            FollowUpReasonKind::CustomerWrote | FollowUpReasonKind::AlreadyFollowedUp
        )
    }
}

/// One thing that happened since the follow-up was planned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpReason {
    /// What it is.
    pub kind: FollowUpReasonKind,
    /// The message that shows it.
    pub message_id: String,
    /// The conversation that message is in.
    pub conversation_id: String,
    /// Its channel.
    pub channel: Channel,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// A sentence for the manager.
    pub detail: String,
}

/// The answer of [`Threader::check_follow_up`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpCheck {
    /// The conversation the follow-up is about.
    pub conversation_id: String,
    /// Its customer.
    pub customer_id: String,
    /// The moment checked from.
    pub since: DateTime<Utc>,
    /// True when a decisive reason says the follow-up is out of date.
    pub moved_on: bool,
    /// Everything relevant since, oldest first.
    pub reasons: Vec<FollowUpReason>,
}

impl Threader {
    /// Checks a follow-up planned about conversation `conversation_id` (or any message in it)
    /// against everything the customer did since `since` (by default our last message in the
    /// conversation, or its start if we never wrote): a resolution of this conversation, a
    /// payment or order on any channel, the customer closing the matter elsewhere, and, as
    /// non-decisive notes, messages from the customer or from us since.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown conversation or message id.
    ///
    /// # Example
    /// ```
    /// use omni_core::thread::{ThreadConfig, Threader};
    /// use omni_core::Message;
    ///
    /// let mut t = Threader::new(ThreadConfig::default()).unwrap();
    /// let quote = Message::from_json(r#"{"id":"mail-1","channel":"email","direction":"outbound",
    ///     "timestamp":"2024-01-15T09:00:00Z","subject":"Ваш расчёт"}"#).unwrap();
    /// let paid = Message::from_json(r#"{"id":"wa-9","channel":"whatsapp","direction":"outbound",
    ///     "timestamp":"2024-03-02T12:00:00Z","text":"Оплата получена, спасибо!"}"#).unwrap();
    /// t.add(&quote, "c1").unwrap();
    /// t.add(&paid, "c1").unwrap();
    /// let check = t.check_follow_up("mail-1", None).unwrap();
    /// assert!(check.moved_on);
    /// assert_eq!(check.reasons[0].message_id, "wa-9");
    /// ```
    pub fn check_follow_up(
        &self,
        conversation_id: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<FollowUpCheck> {
        let slot = self.slot_of(conversation_id).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("conversation_id: no conversation or message {conversation_id:?}"),
            )
        })?;
        let ct = self.customer(slot);
        let k = self.placements[slot as usize].conv;
        let conv = &ct.convs[k as usize];
        let conv_id = self.record(conv.members[0]).id().to_string();
        let since = since.unwrap_or_else(|| {
            super::state::timings(&conv.members, &self.records)
                .last_outbound
                .unwrap_or_else(|| self.record(conv.members[0]).time)
        });
        let mut reasons = Vec::new();
        let reason = |kind, slot: u32, detail: String| {
            let r = self.record(slot);
            FollowUpReason {
                kind,
                message_id: r.id().to_string(),
                conversation_id: self.conversation_id_of_slot(slot).to_string(),
                channel: r.channel(),
                at: r.time,
                detail,
            }
        };
        if conv.summary.state == ConversationState::Resolved {
            if let Some(by) = conv.summary.resolved_by {
                if self.record(by).time <= since {
                    reasons.push(reason(
                        FollowUpReasonKind::ConversationResolved,
                        by,
                        format!(
                            "the conversation was already resolved by message {:?}",
                            self.record(by).id()
                        ),
                    ));
                }
            }
        }
        let start = ct.slots.partition_point(|&s| self.record(s).time <= since);
        for &s in &ct.slots[start..] {
            let r = self.record(s);
            let here = self.placements[s as usize].conv == k;
            let sig = r.signals;
            let when = r.time.format("%Y-%m-%d %H:%M UTC");
            let channel = r.channel_name();
            let (kind, detail) = if sig.has(Signals::PAYMENT) {
                (
                    FollowUpReasonKind::PaymentReceived,
                    format!("a payment was confirmed on {channel} at {when}"),
                )
            } else if sig.has(Signals::ORDER) {
                (
                    FollowUpReasonKind::OrderPlaced,
                    format!("an order was placed on {channel} at {when}"),
                )
            } else if sig.has(Signals::RESOLVES) && here {
                (
                    FollowUpReasonKind::ConversationResolved,
                    format!("the conversation was resolved on {channel} at {when}"),
                )
            } else if sig.has(Signals::RESOLVES) {
                (
                    FollowUpReasonKind::ResolvedElsewhere,
                    format!("the customer closed the matter in another conversation on {channel} at {when}"),
                )
            } else if sig.has(Signals::CLAIMED_PAYMENT) {
                (
                    FollowUpReasonKind::PaymentClaimed,
                    format!("the customer said they paid, on {channel} at {when}"),
                )
            } else if r.direction == Direction::Inbound {
                (
                    FollowUpReasonKind::CustomerWrote,
                    format!("the customer wrote on {channel} at {when}"),
                )
            } else if here {
                (
                    FollowUpReasonKind::AlreadyFollowedUp,
                    format!("we already wrote in this conversation on {channel} at {when}"),
                )
            } else {
                continue;
            };
            reasons.push(reason(kind, s, detail));
        }
        Ok(FollowUpCheck {
            conversation_id: conv_id,
            customer_id: ct.id.to_string(),
            since,
            moved_on: reasons.iter().any(|r| r.kind.is_decisive()),
            reasons,
        })
    }
}
