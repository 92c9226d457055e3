//! The compact facts the threader keeps about one message: only what threading, conversation
//! state and follow-up checks read, so a million messages fit in a few hundred megabytes.

use super::subject::{normalize_subject, subject_key};
use super::text::{reference_keys, signals, topic_line, Signals};
use super::{Problem, ProblemKind, ThreadConfig, MAX_ID_BYTES, MAX_REFERENCES};
use crate::error::{Error, ErrorKind, Result};
use crate::message::{Channel, Direction, Message};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Email threading facts of one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EmailFacts {
    /// `Message-ID`, cleaned (no angle brackets).
    pub message_id: Option<Box<str>>,
    /// `References` oldest first, then `In-Reply-To` ids not already among them.
    pub parents: Box<[Box<str>]>,
    /// The subject's comparison key.
    pub subject: Option<Box<str>>,
}

/// The links and problems of a message, boxed: most messages have none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Links {
    pub reply_to: Option<Box<str>>,
    pub session: Option<Box<str>>,
    pub provider_conversation: Option<Box<str>>,
    /// Order and ticket keys mentioned in the subject or text.
    pub keys: Box<[Box<str>]>,
    /// What was wrong with the message itself.
    pub problems: Box<[Problem]>,
}

/// What the threader keeps about one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    pub id: Box<str>,
    pub time: DateTime<Utc>,
    pub channel: Channel,
    pub direction: Direction,
    pub email: Option<Box<EmailFacts>>,
    pub links: Option<Box<Links>>,
    pub signals: Signals,
    /// The normalised subject, or the first line of an inbound text.
    pub topic: Option<Box<str>>,
    /// Whether the timestamp is inside the configured plausible range.
    pub time_trusted: bool,
}

/// Cleans a reference id: trims, strips one pair of angle brackets. `None` when it is empty or
/// has whitespace inside (not a message id).
fn clean_id(raw: &str) -> Option<&str> {
    let t = raw.trim();
    let t = t.strip_prefix('<').unwrap_or(t);
    let t = t.strip_suffix('>').unwrap_or(t).trim();
    (!t.is_empty() && !t.chars().any(char::is_whitespace) && !t.contains(['<', '>'])).then_some(t)
}

fn boxed(s: &str) -> Box<str> {
    s.into()
}

/// Checks that `message` can be threaded: an id, ids and references within the limits.
pub(crate) fn validate(message: &Message) -> Result<()> {
    if message.id.trim().is_empty() {
        return Err(Error::new(
            ErrorKind::FieldMissing,
            "id: the message has no id",
        ));
    }
    if message.id.len() > MAX_ID_BYTES {
        return Err(Error::too_large("id", message.id.len(), MAX_ID_BYTES));
    }
    let refs = &message.refs;
    let count = refs.references.len() + refs.in_reply_to.len();
    if count > MAX_REFERENCES {
        return Err(Error::new(
            ErrorKind::InputTooLarge,
            format!("refs: {count} references and in_reply_to ids; the limit is {MAX_REFERENCES}"),
        ));
    }
    let long = |field: String, v: &str| Err(Error::too_large(&field, v.len(), MAX_ID_BYTES));
    for (field, v) in [
        ("refs.message_id", refs.message_id.as_deref()),
        ("refs.reply_to_id", refs.reply_to_id.as_deref()),
        ("refs.session_id", refs.session_id.as_deref()),
        ("refs.conversation_id", refs.conversation_id.as_deref()),
    ] {
        if let Some(v) = v.filter(|v| v.len() > MAX_ID_BYTES) {
            return long(field.to_string(), v);
        }
    }
    for (name, list) in [
        ("references", &refs.references),
        ("in_reply_to", &refs.in_reply_to),
    ] {
        for (i, v) in list.iter().enumerate() {
            if v.len() > MAX_ID_BYTES {
                return long(format!("refs.{name}[{i}]"), v);
            }
        }
    }
    Ok(())
}

impl Record {
    /// The facts of `message` under `config`.
    ///
    /// # Errors
    /// [`ErrorKind::FieldMissing`] for an empty id; [`ErrorKind::InputTooLarge`] for an id or
    /// reference longer than [`MAX_ID_BYTES`] or more than [`MAX_REFERENCES`] references.
    pub fn from_message(message: &Message, config: &ThreadConfig) -> Result<Record> {
        if message.id.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::FieldMissing,
                "id: the message has no id",
            ));
        }
        if message.id.len() > MAX_ID_BYTES {
            return Err(Error::too_large("id", message.id.len(), MAX_ID_BYTES));
        }
        let refs = &message.refs;
        let count = refs.references.len() + refs.in_reply_to.len();
        if count > MAX_REFERENCES {
            return Err(Error::new(
                ErrorKind::InputTooLarge,
                format!(
                    "refs: {count} references and in_reply_to ids; the limit is {MAX_REFERENCES}"
                ),
            ));
        }
        let mut problems = Vec::new();
        let mut check = |field: &dyn Fn() -> String, value: &str| -> Result<Option<Box<str>>> {
            if value.len() > MAX_ID_BYTES {
                return Err(Error::too_large(&field(), value.len(), MAX_ID_BYTES));
            }
            match clean_id(value) {
                Some(id) => Ok(Some(boxed(id))),
                None => {
                    problems.push(Problem::new(
                        ProblemKind::MalformedReference,
                        format!("{}: {value:?} is not a message id; ignored", field()),
                    ));
                    Ok(None)
                }
            }
        };
        let message_id = match &refs.message_id {
            Some(v) => check(&|| "refs.message_id".into(), v)?,
            None => None,
        };
        let mut parents: Vec<Box<str>> = Vec::new();
        for (i, r) in refs.references.iter().enumerate() {
            if let Some(id) = check(&|| format!("refs.references[{i}]"), r)? {
                parents.push(id);
            }
        }
        for (i, r) in refs.in_reply_to.iter().enumerate() {
            if let Some(id) = check(&|| format!("refs.in_reply_to[{i}]"), r)? {
                if !parents.contains(&id) {
                    parents.push(id);
                }
            }
        }
        let reply_to = match &refs.reply_to_id {
            Some(v) => check(&|| "refs.reply_to_id".into(), v)?,
            None => None,
        };
        let session = opt_value(refs.session_id.as_deref(), "refs.session_id")?;
        let provider_conversation =
            opt_value(refs.conversation_id.as_deref(), "refs.conversation_id")?;

        let is_email =
            message.channel == Channel::Email || message_id.is_some() || !parents.is_empty();
        let email = is_email.then(|| {
            Box::new(EmailFacts {
                message_id,
                parents: parents.into_boxed_slice(),
                subject: message
                    .subject
                    .as_deref()
                    .and_then(subject_key)
                    .map(Into::into),
            })
        });

        let mut keys = reference_keys(&message.text);
        if let Some(subject) = &message.subject {
            keys.extend(reference_keys(subject));
            keys.sort_unstable();
            keys.dedup();
        }
        let topic = message
            .subject
            .as_deref()
            .map(|s| normalize_subject(s).0)
            .filter(|s| !s.is_empty())
            .map(String::into_boxed_str)
            .or_else(|| {
                (message.direction == Direction::Inbound)
                    .then(|| topic_line(&message.text, 80))
                    .flatten()
            });

        let time = message.timestamp;
        let mut time_trusted = true;
        if let Some(floor) = config.not_before {
            if time < floor {
                time_trusted = false;
                problems.push(Problem::new(
                    ProblemKind::TimestampTooEarly,
                    format!(
                        "timestamp {} is before {}; threaded by explicit links only",
                        time.to_rfc3339(),
                        floor.to_rfc3339()
                    ),
                ));
            }
        }
        if let Some(ceiling) = config.not_after {
            if time > ceiling {
                time_trusted = false;
                problems.push(Problem::new(
                    ProblemKind::TimestampInFuture,
                    format!(
                        "timestamp {} is after {}; threaded by explicit links only",
                        time.to_rfc3339(),
                        ceiling.to_rfc3339()
                    ),
                ));
            }
        }
        let links = Links {
            reply_to,
            session,
            provider_conversation,
            keys: keys.into_iter().map(Into::into).collect(),
            problems: problems.into_boxed_slice(),
        };
        Ok(Record {
            id: boxed(&message.id),
            time,
            channel: message.channel.clone(),
            direction: message.direction,
            email,
            links: (links != Links::default()).then(|| Box::new(links)),
            signals: signals(message),
            topic,
            time_trusted,
        })
    }

    /// The messenger message it replies to.
    pub fn reply_to(&self) -> Option<&str> {
        self.links.as_ref()?.reply_to.as_deref()
    }

    /// Its chat or call session.
    pub fn session(&self) -> Option<&str> {
        self.links.as_ref()?.session.as_deref()
    }

    /// Its provider conversation.
    pub fn provider_conversation(&self) -> Option<&str> {
        self.links.as_ref()?.provider_conversation.as_deref()
    }

    /// The order and ticket keys it mentions.
    pub fn keys(&self) -> &[Box<str>] {
        self.links.as_ref().map_or(&[], |l| &l.keys)
    }

    /// What was wrong with the message itself.
    pub fn problems(&self) -> &[Problem] {
        self.links.as_ref().map_or(&[], |l| &l.problems)
    }

    /// Records a problem found when the message was added.
    pub fn add_problem(&mut self, problem: Problem) {
        let links = self.links.get_or_insert_with(Default::default);
        let mut all = std::mem::take(&mut links.problems).into_vec();
        all.push(problem);
        links.problems = all.into_boxed_slice();
    }

    /// Whether this message carries its own (email) threading.
    pub fn is_email(&self) -> bool {
        self.email.is_some()
    }
}

/// A session or provider conversation id, trimmed; `None` when empty.
fn opt_value(value: Option<&str>, field: &str) -> Result<Option<Box<str>>> {
    match value.map(str::trim) {
        Some(v) if v.len() > MAX_ID_BYTES => Err(Error::too_large(field, v.len(), MAX_ID_BYTES)),
        Some(v) if !v.is_empty() => Ok(Some(boxed(v))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_ids_are_cleaned_and_bad_ones_reported() {
        assert_eq!(clean_id(" <a@b> "), Some("a@b"));
        assert_eq!(clean_id("a@b"), Some("a@b"));
        assert_eq!(clean_id("<>"), None);
        assert_eq!(clean_id("<a@b> (Simos"), None);
        let mut m = Message::from_json(
            r#"{"id":"e1","channel":"email","direction":"inbound","timestamp":"2024-05-01T10:00:00Z",
            "subject":"Re: Заказ №12345","refs":{"message_id":"<x@y>","references":["a@b",""],"in_reply_to":["<a@b>","c@d"]}}"#,
        )
        .unwrap();
        let r = Record::from_message(&m, &ThreadConfig::default()).unwrap();
        let email = r.email.as_ref().unwrap();
        assert_eq!(email.message_id.as_deref(), Some("x@y"));
        assert_eq!(&*email.parents, &[boxed("a@b"), boxed("c@d")]);
        assert_eq!(email.subject.as_deref(), Some("заказ №12345"));
        assert_eq!(r.keys(), &[boxed("order:12345")]);
        assert_eq!(r.problems().len(), 1);
        assert_eq!(r.problems()[0].kind, ProblemKind::MalformedReference);
        m.id = " ".into();
        assert_eq!(
            Record::from_message(&m, &ThreadConfig::default())
                .unwrap_err()
                .kind(),
            ErrorKind::FieldMissing
        );
    }
}
