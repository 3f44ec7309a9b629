//! The two languages of the app and their UI strings (`messages/zh.toml`, `messages/en.toml`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

pub use crate::domain::Lang;

/// The app's side of a language: its UI strings and how a browser asks for it.
impl Lang {
    pub fn messages(self) -> &'static Messages {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The language an `Accept-Language` header prefers: English when it ranks English above
    /// Chinese, else Chinese (the planners' language, and the default).
    pub fn negotiate(accept_language: Option<&str>) -> Lang {
        let (mut zh, mut en) = (0.0f32, 0.0f32);
        for range in accept_language.unwrap_or_default().split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            match primary {
                "zh" => zh = zh.max(q),
                "en" => en = en.max(q),
                _ => {}
            }
        }
        if en > zh {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

/// The UI strings of one language, by key (`section.name`).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Messages(BTreeMap<String, BTreeMap<String, String>>);

impl Messages {
    fn load(toml_text: &str) -> Messages {
        toml::from_str(toml_text).expect("the bundled message file is valid TOML (unit-tested)")
    }

    /// The string for `key` (`section.name`); a missing key shows as `⟦key⟧`, which the page
    /// tests look for.
    pub fn get(&self, key: &str) -> String {
        key.split_once('.')
            .and_then(|(section, name)| self.0.get(section)?.get(name))
            .cloned()
            .unwrap_or_else(|| format!("⟦{key}⟧"))
    }

    #[cfg(test)]
    fn keys(&self) -> Vec<String> {
        self.0
            .iter()
            .flat_map(|(section, names)| names.keys().map(move |name| format!("{section}.{name}")))
            .collect()
    }
}

static ZH: LazyLock<Messages> = LazyLock::new(|| Messages::load(include_str!("messages/zh.toml")));
static EN: LazyLock<Messages> = LazyLock::new(|| Messages::load(include_str!("messages/en.toml")));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        assert_eq!(ZH.keys(), EN.keys());
        assert!(ZH.keys().len() > 50);
    }

    #[test]
    fn no_message_is_empty() {
        for lang in [Lang::Zh, Lang::En] {
            for key in lang.messages().keys() {
                assert!(!lang.messages().get(&key).trim().is_empty(), "{key}");
            }
        }
    }

    #[test]
    fn a_missing_key_is_visible() {
        assert_eq!(ZH.get("nowhere.nothing"), "⟦nowhere.nothing⟧");
    }

    #[test]
    fn accept_language_picks_the_preferred_of_the_two() {
        assert_eq!(Lang::negotiate(None), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("en;q=0.5,zh-TW;q=0.8")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("fr,en;q=0.4")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr")), Lang::Zh);
    }
}
