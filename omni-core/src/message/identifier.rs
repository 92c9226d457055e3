//! Typed customer identifiers: what a channel knows a person by.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of an [`Identifier`]. Serialised as snake_case (`phone`, `telegram_username`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IdentifierKind {
    /// A phone number in E.164 (`+79123456789`).
    Phone,
    /// An email address, canonical matching key (`ivanpetrov@gmail.com`).
    Email,
    /// A numeric Telegram user id (`123456789`).
    TelegramId,
    /// A Telegram @username, lower case without `@` (`ivan_petrov`).
    TelegramUsername,
    /// A WhatsApp id (`wa_id`): the phone number's digits without `+`.
    Whatsapp,
    /// A Viber user id (opaque, base64-like, case-sensitive).
    ViberId,
    /// A numeric VK user id (`123456`).
    VkId,
    /// A VK screen name, lower case (`durov`).
    VkScreenName,
    /// An Instagram username, lower case (`ivan.petrov`).
    Instagram,
    /// An Instagram-scoped numeric id from the Graph API.
    InstagramId,
    /// A Facebook profile username or page-scoped id.
    Facebook,
    /// A Skype name (`live:ivan_1`, `ivan.petrov`).
    Skype,
    /// A web-push subscription id or endpoint; can expire.
    WebPush,
    /// A mobile app push token or app user id.
    AppPush,
    /// A site or chat-widget visitor id (cookie or widget id).
    VisitorId,
}

impl IdentifierKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [IdentifierKind] = &[
        IdentifierKind::Phone,
        IdentifierKind::Email,
        IdentifierKind::TelegramId,
        IdentifierKind::TelegramUsername,
        IdentifierKind::Whatsapp,
        IdentifierKind::ViberId,
        IdentifierKind::VkId,
        IdentifierKind::VkScreenName,
        IdentifierKind::Instagram,
        IdentifierKind::InstagramId,
        IdentifierKind::Facebook,
        IdentifierKind::Skype,
        IdentifierKind::WebPush,
        IdentifierKind::AppPush,
        IdentifierKind::VisitorId,
    ];

    /// The snake_case name used in JSON, C and Python.
    pub const fn name(self) -> &'static str {
        match self {
            IdentifierKind::Phone => "phone",
            IdentifierKind::Email => "email",
            IdentifierKind::TelegramId => "telegram_id",
            IdentifierKind::TelegramUsername => "telegram_username",
            IdentifierKind::Whatsapp => "whatsapp",
            IdentifierKind::ViberId => "viber_id",
            IdentifierKind::VkId => "vk_id",
            IdentifierKind::VkScreenName => "vk_screen_name",
            IdentifierKind::Instagram => "instagram",
            IdentifierKind::InstagramId => "instagram_id",
            IdentifierKind::Facebook => "facebook",
            IdentifierKind::Skype => "skype",
            IdentifierKind::WebPush => "web_push",
            IdentifierKind::AppPush => "app_push",
            IdentifierKind::VisitorId => "visitor_id",
        }
    }

    /// The kind with this snake_case name.
    pub fn from_name(name: &str) -> Option<IdentifierKind> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// Whether two records sharing this identifier are, by default, the same person
    /// (a phone, an email, a messenger account) rather than a device or a session.
    pub const fn is_strong(self) -> bool {
        !matches!(
            self,
            IdentifierKind::WebPush | IdentifierKind::AppPush | IdentifierKind::VisitorId
        )
    }
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A normalised identifier: its kind and its canonical value.
///
/// Two identifiers are equal exactly when they denote the same account, so values are always
/// stored in canonical form (E.164 phones, canonical email keys, lower-case usernames).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identifier {
    /// What kind of account this is.
    pub kind: IdentifierKind,
    /// The canonical value.
    pub value: String,
}

impl Identifier {
    /// An identifier of `kind` with an already canonical `value`.
    pub fn new(kind: IdentifierKind, value: impl Into<String>) -> Self {
        Identifier {
            kind,
            value: value.into(),
        }
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.value)
    }
}
