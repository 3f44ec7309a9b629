//! Search highlights: the only markup a page passes through from data is `<mark>`.

pub use crate::search::snippet::escape;

/// `html` with everything escaped except `<mark>` and `</mark>`. The search engine already
/// escapes its fragments; this does not rely on it: it undoes the engine's escaping, escapes
/// everything again, and then restores the two tags.
pub fn marks_only(html: &str) -> String {
    let text = unescape(html);
    let escaped = escape(&text);
    escaped
        .replace("&lt;mark&gt;", "<mark>")
        .replace("&lt;/mark&gt;", "</mark>")
}

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_pass_and_everything_else_is_escaped() {
        assert_eq!(
            marks_only("扶<mark>志</mark> &amp; <b>x</b>"),
            "扶<mark>志</mark> &amp; &lt;b&gt;x&lt;/b&gt;"
        );
    }

    #[test]
    fn an_escaped_script_stays_escaped() {
        let html = marks_only("&lt;script&gt;alert(1)&lt;/script&gt; <mark>a</mark>");
        assert_eq!(html, "&lt;script&gt;alert(1)&lt;/script&gt; <mark>a</mark>");
        let raw = marks_only("<script>alert(1)</script><mark onclick=x>a</mark>");
        assert!(!raw.contains("<script"));
        assert!(!raw.contains("<mark onclick"));
    }

    #[test]
    fn attributes_and_quotes_are_escaped() {
        assert_eq!(marks_only("\"'"), "&quot;&#x27;");
    }
}
