//! Communication channels and what each one can do.

use super::identifier::IdentifierKind;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A channel a business and a customer talk over.
///
/// Serialised as a snake_case string (`whatsapp`, `web_form`); any other string becomes
/// [`Channel::Other`], so records from channels omni does not know yet are never rejected.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Channel {
    /// A voice call (inbound, outbound or missed).
    Voice,
    /// SMS.
    Sms,
    /// Email.
    Email,
    /// WhatsApp.
    Whatsapp,
    /// Telegram.
    Telegram,
    /// Viber.
    Viber,
    /// VK (VKontakte) messages and comments.
    Vk,
    /// Skype.
    Skype,
    /// Instagram direct messages and comments.
    Instagram,
    /// Facebook and Messenger.
    Facebook,
    /// A form on the company's web site.
    WebForm,
    /// A live-chat widget on the web site.
    LiveChat,
    /// A chatbot (on any platform).
    Chatbot,
    /// Mobile app push notifications.
    AppPush,
    /// Web push notifications.
    WebPush,
    /// A visit to a store or office.
    Visit,
    /// Any other channel, by name.
    Other(String),
}

/// Static facts about a [`Channel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelProperties {
    /// The customer can answer on the same channel (false for web forms and push).
    pub two_way: bool,
    /// Both sides are present at once (voice, a visit).
    pub synchronous: bool,
    /// The channel can carry a message from the business to the customer.
    pub can_send: bool,
    /// The identifier kinds this channel knows a customer by, most specific first.
    pub identifiers: &'static [IdentifierKind],
    /// Identifiers on this channel go stale on their own (push subscriptions expire).
    pub identifiers_expire: bool,
}

impl Channel {
    /// Every named channel (without [`Channel::Other`]).
    pub const NAMED: &'static [Channel] = &[
        Channel::Voice,
        Channel::Sms,
        Channel::Email,
        Channel::Whatsapp,
        Channel::Telegram,
        Channel::Viber,
        Channel::Vk,
        Channel::Skype,
        Channel::Instagram,
        Channel::Facebook,
        Channel::WebForm,
        Channel::LiveChat,
        Channel::Chatbot,
        Channel::AppPush,
        Channel::WebPush,
        Channel::Visit,
    ];

    /// The snake_case name used in JSON, C and Python.
    pub fn name(&self) -> &str {
        match self {
            Channel::Voice => "voice",
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Whatsapp => "whatsapp",
            Channel::Telegram => "telegram",
            Channel::Viber => "viber",
            Channel::Vk => "vk",
            Channel::Skype => "skype",
            Channel::Instagram => "instagram",
            Channel::Facebook => "facebook",
            Channel::WebForm => "web_form",
            Channel::LiveChat => "live_chat",
            Channel::Chatbot => "chatbot",
            Channel::AppPush => "app_push",
            Channel::WebPush => "web_push",
            Channel::Visit => "visit",
            Channel::Other(name) => name,
        }
    }

    /// The channel for a name. Accepts the canonical names and common aliases
    /// (`phone`/`call` for voice, `form` for web_form, `messenger` for facebook, `chat` for
    /// live_chat, `push` for app_push, `store`/`office` for visit), case-insensitively;
    /// anything else becomes [`Channel::Other`] with the name lower-cased.
    pub fn from_name(name: &str) -> Channel {
        let lower = name.trim().to_lowercase();
        let found = match lower.as_str() {
            "voice" | "call" | "phone" | "phone_call" => Channel::Voice,
            "sms" | "text" => Channel::Sms,
            "email" | "e-mail" | "mail" => Channel::Email,
            "whatsapp" | "wa" => Channel::Whatsapp,
            "telegram" | "tg" => Channel::Telegram,
            "viber" => Channel::Viber,
            "vk" | "vkontakte" => Channel::Vk,
            "skype" => Channel::Skype,
            "instagram" | "ig" => Channel::Instagram,
            "facebook" | "messenger" | "fb" => Channel::Facebook,
            "web_form" | "form" | "webform" | "site_form" => Channel::WebForm,
            "live_chat" | "chat" | "livechat" | "widget" => Channel::LiveChat,
            "chatbot" | "bot" => Channel::Chatbot,
            "app_push" | "push" | "mobile_push" => Channel::AppPush,
            "web_push" | "webpush" => Channel::WebPush,
            "visit" | "store" | "office" | "offline" => Channel::Visit,
            _ => Channel::Other(lower),
        };
        found
    }

    /// What this channel can do and which identifiers it carries.
    pub fn properties(&self) -> ChannelProperties {
        use IdentifierKind as K;
        let p =
            |two_way, synchronous, can_send, identifiers, identifiers_expire| ChannelProperties {
                two_way,
                synchronous,
                can_send,
                identifiers,
                identifiers_expire,
            };
        match self {
            Channel::Voice => p(true, true, true, &[K::Phone], false),
            Channel::Sms => p(true, false, true, &[K::Phone], false),
            Channel::Email => p(true, false, true, &[K::Email], false),
            Channel::Whatsapp => p(true, false, true, &[K::Whatsapp, K::Phone], false),
            Channel::Telegram => p(
                true,
                false,
                true,
                &[K::TelegramId, K::TelegramUsername, K::Phone],
                false,
            ),
            Channel::Viber => p(true, false, true, &[K::ViberId, K::Phone], false),
            Channel::Vk => p(true, false, true, &[K::VkId, K::VkScreenName], false),
            Channel::Skype => p(true, false, true, &[K::Skype], false),
            Channel::Instagram => p(true, false, true, &[K::InstagramId, K::Instagram], false),
            Channel::Facebook => p(true, false, true, &[K::Facebook], false),
            Channel::WebForm => p(
                false,
                false,
                false,
                &[K::Phone, K::Email, K::VisitorId],
                false,
            ),
            Channel::LiveChat => p(true, true, true, &[K::VisitorId, K::Email, K::Phone], false),
            Channel::Chatbot => p(
                true,
                false,
                true,
                &[K::TelegramId, K::VkId, K::Phone, K::VisitorId],
                false,
            ),
            Channel::AppPush => p(false, false, true, &[K::AppPush], true),
            Channel::WebPush => p(false, false, true, &[K::WebPush], true),
            Channel::Visit => p(true, true, false, &[K::Phone, K::Email], false),
            Channel::Other(_) => p(true, false, true, &[], false),
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Channel::from_name(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for channel in Channel::NAMED {
            assert_eq!(&Channel::from_name(channel.name()), channel);
        }
        assert_eq!(
            Channel::from_name("Pigeon"),
            Channel::Other("pigeon".into())
        );
    }

    #[test]
    fn web_form_and_push_are_one_way() {
        assert!(!Channel::WebForm.properties().two_way);
        assert!(!Channel::WebPush.properties().two_way);
        assert!(Channel::WebPush.properties().identifiers_expire);
        assert!(Channel::Voice.properties().synchronous);
        assert!(Channel::Whatsapp
            .properties()
            .identifiers
            .contains(&IdentifierKind::Phone));
    }
}
