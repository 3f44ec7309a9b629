//! A page's query string: repeated keys (`m=a&m=b`) kept in order, and links that change one
//! key while keeping the rest.

#[derive(Clone, Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query_string: &str) -> Params {
        Params(
            form_urlencoded::parse(query_string.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first non-blank value of `key`, trimmed.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.all(key).into_iter().next()
    }

    /// Every non-blank value of `key`, trimmed, without repeats.
    pub fn all(&self, key: &str) -> Vec<&str> {
        let mut values: Vec<&str> = Vec::new();
        for (k, v) in &self.0 {
            let v = v.trim();
            if k == key && !v.is_empty() && !values.contains(&v) {
                values.push(v);
            }
        }
        values
    }

    /// The query string (with its `?`, or empty) with `key` set to `value` (or removed when
    /// `None`), and `page` reset unless it is the key.
    pub fn with(&self, key: &str, value: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .0
            .iter()
            .filter(|(k, v)| k != key && !v.trim().is_empty() && (key == "page" || k != "page"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(value) = value {
            pairs.push((key, value));
        }
        encode(&pairs)
    }

    /// The query string without one value of a repeated key.
    pub fn removing(&self, key: &str, value: &str) -> String {
        let pairs: Vec<(&str, &str)> = self
            .pairs()
            .into_iter()
            .filter(|(k, v)| !(*k == key && v.trim() == value))
            .collect();
        encode(&pairs)
    }

    /// The query string as it came, without blank values.
    pub fn current(&self) -> String {
        encode(&self.pairs())
    }

    fn pairs(&self) -> Vec<(&str, &str)> {
        self.0
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

/// `?a=1&b=2`, or nothing for no pairs.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let mut serializer = form_urlencoded::Serializer::for_suffix(String::from("?"), 1);
    serializer.extend_pairs(pairs);
    serializer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_keep_their_order_and_lose_blanks_and_repeats() {
        let params = Params::parse("m=b&m=a&m=&m=b&region=%E6%B6%AA%E9%99%B5");
        assert_eq!(params.all("m"), vec!["b", "a"]);
        assert_eq!(params.get("region"), Some("涪陵"));
        assert_eq!(params.get("missing"), None);
    }

    #[test]
    fn links_change_one_key_and_keep_the_rest() {
        let params = Params::parse("q=a+b&kind=case&page=3");
        assert_eq!(params.with("kind", Some("measure")), "?q=a+b&kind=measure");
        assert_eq!(params.with("page", Some("4")), "?q=a+b&kind=case&page=4");
        assert_eq!(params.with("kind", None), "?q=a+b");
        assert_eq!(Params::parse("").with("kind", None), "");
    }

    #[test]
    fn repeated_values_are_removed_one_by_one() {
        let params = Params::parse("region=x&m=a&m=b");
        assert_eq!(params.removing("m", "a"), "?region=x&m=b");
    }

    #[test]
    fn hostile_values_are_encoded() {
        let params = Params::parse("q=%3Cscript%3E%26x%3D1");
        assert_eq!(params.get("q"), Some("<script>&x=1"));
        assert_eq!(params.current(), "?q=%3Cscript%3E%26x%3D1");
    }
}
