//! The one normalisation of text, used by every tokenizer of the index, by the query parser and
//! by recommendations, so that what a planner types and what the records say meet in one form:
//!
//! - compatibility forms become ordinary ones (NFKC): full-width Ａ１ becomes A1, the ideographic
//!   space a space;
//! - traditional Chinese becomes simplified (`fast2s`, OpenCC's character table with phrase
//!   context): 飲水協會 reads as 饮水协会;
//! - letters are case-folded.
//!
//! Each character is normalised on its own, so every character of the result can be traced back
//! to the character of the input it came from: tokenizers report offsets into the original text,
//! and highlights mark what the reader sees.

use unicode_normalization::UnicodeNormalization;

/// Text in normal form, with where each of its characters came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalised {
    pub text: String,
    /// For each byte offset of `text` that starts a character, the byte range of the input
    /// character it came from (one entry per character of `text`, in order); `None` when every
    /// character kept its place and its length (simplified text, lower-case English: most of
    /// what is indexed and highlighted), so that offsets carry over as they are.
    origins: Option<Vec<(usize, usize, usize)>>,
}

impl Normalised {
    /// The byte range in the input of the normalised bytes `from..to`.
    pub fn original_range(&self, from: usize, to: usize) -> (usize, usize) {
        let Some(origins) = &self.origins else {
            return if from < to && to <= self.text.len() {
                (from, to)
            } else {
                (0, 0)
            };
        };
        // Sorted by offset: the first character at or after `from`, the last before `to`.
        let first = origins.partition_point(|(at, _, _)| *at < from);
        let past = origins.partition_point(|(at, _, _)| *at < to);
        match (
            origins.get(first),
            past.checked_sub(1).map(|last| origins[last]),
        ) {
            (Some((_, start, _)), Some((_, _, end))) if *start <= end => (*start, end),
            _ => (0, 0),
        }
    }
}

/// The normal form of `text` (see the module's documentation).
pub fn normalise(text: &str) -> String {
    normalise_traced(text).text
}

/// The normal form of `text` with the origin of each character.
pub fn normalise_traced(text: &str) -> Normalised {
    // Traditional to simplified first, on the whole text: fast2s looks at neighbouring characters
    // for the few characters whose simplified form depends on the word, and maps one character
    // to one character, so the offsets of the input still apply.
    let simplified = fast2s::convert(text);
    let mut out = String::with_capacity(simplified.len());
    let mut origins: Option<Vec<(usize, usize, usize)>> = None;
    for ((start, original), converted) in text.char_indices().zip(simplified.chars()) {
        let end = start + original.len_utf8();
        let mut push = |folded: char| {
            let at = out.len();
            if origins.is_none() && (at != start || folded.len_utf8() != original.len_utf8()) {
                // The first character out of place: those before it all kept theirs.
                let mut kept: Vec<_> = out
                    .char_indices()
                    .map(|(at, c)| (at, at, at + c.len_utf8()))
                    .collect();
                kept.reserve(simplified.len());
                origins = Some(kept);
            }
            if let Some(origins) = origins.as_mut() {
                origins.push((at, start, end));
            }
            out.push(folded);
        };
        match plain(converted) {
            Some(folded) => push(folded),
            None => {
                for compatible in std::iter::once(converted).nfkc() {
                    compatible.to_lowercase().for_each(&mut push);
                }
            }
        }
    }
    Normalised { text: out, origins }
}

/// The normal form of a character that NFKC leaves as it is and that has no case but lower:
/// ASCII and the CJK Unified Ideographs, nearly all of what is stored. Checking these by range
/// spares them the general path (a decomposition table, a case table), which cost a tenth of a
/// highlighted search and of a reindex.
fn plain(c: char) -> Option<char> {
    if c.is_ascii() {
        Some(c.to_ascii_lowercase())
    } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        Some(c)
    } else {
        None
    }
}

/// The key a whole name is compared by: its normal form without tone marks, spaces or
/// punctuation, so "Deng kao yao", "děng kào yào" and "dengkaoyao" are one name, as are
/// 控輟保學 and 控辍保学.
pub fn name_key(text: &str) -> String {
    normalise(text)
        .nfd()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_tones_spaces_or_punctuation() {
        assert_eq!(name_key("děng kào yào"), "dengkaoyao");
        assert_eq!(name_key("Deng-Kao Yao"), "dengkaoyao");
        assert_eq!(name_key("“控輟保學”"), "控辍保学");
    }

    #[test]
    fn traditional_becomes_simplified() {
        assert_eq!(normalise("飲水協會"), "饮水协会");
        assert_eq!(normalise("控輟保學"), "控辍保学");
        assert_eq!(normalise("饮水协会"), "饮水协会");
    }

    #[test]
    fn the_shortcut_agrees_with_the_general_path() {
        let general = |c: char| -> String {
            std::iter::once(c)
                .nfkc()
                .flat_map(char::to_lowercase)
                .collect()
        };
        for c in (0..=0x7f_u32)
            .chain(0x4e00..=0x9fff)
            .filter_map(char::from_u32)
        {
            assert_eq!(plain(c).map(String::from), Some(general(c)), "{c:?}");
        }
    }

    #[test]
    fn full_width_becomes_half_width_and_case_folds() {
        assert_eq!(normalise("ＡＢＣ　１２３"), "abc 123");
        assert_eq!(normalise("Chicken INDUSTRY"), "chicken industry");
    }

    #[test]
    fn every_character_traces_back_to_the_input() {
        let input = "Ａ飲水 ok";
        let n = normalise_traced(input);
        assert_eq!(n.text, "a饮水 ok");
        // "饮水" in the normal form is "飲水" in the input.
        let from = n.text.find('饮').unwrap();
        let to = from + "饮水".len();
        let (start, end) = n.original_range(from, to);
        assert_eq!(&input[start..end], "飲水");
        let from = n.text.find("ok").unwrap();
        let (start, end) = n.original_range(from, from + 2);
        assert_eq!(&input[start..end], "ok");
    }

    #[test]
    fn characters_that_keep_their_place_carry_their_offsets_over() {
        let input = "飲水 ok";
        let n = normalise_traced(input);
        assert_eq!(n.text, "饮水 ok");
        assert!(n.origins.is_none());
        assert_eq!(n.original_range(0, "饮水".len()), (0, "飲水".len()));
        let ok = n.text.find("ok").unwrap();
        assert_eq!(&input[ok..ok + 2], "ok");
        assert_eq!(n.original_range(ok, ok + 2), (ok, ok + 2));
        assert_eq!(n.original_range(3, 3), (0, 0));
    }

    #[test]
    fn characters_before_the_first_moved_one_keep_their_origin() {
        // Simplified in place, then a full-width letter that shrinks: everything after it moves.
        let input = "飲水Ａ協會";
        let n = normalise_traced(input);
        assert_eq!(n.text, "饮水a协会");
        let (start, end) = n.original_range(0, "饮水".len());
        assert_eq!(&input[start..end], "飲水");
        let from = n.text.find('协').unwrap();
        let (start, end) = n.original_range(from, n.text.len());
        assert_eq!(&input[start..end], "協會");
    }

    #[test]
    fn expanding_characters_keep_their_origin() {
        // NFKC turns one ligature into two letters; both point at the ligature.
        let input = "ﬁsh";
        let n = normalise_traced(input);
        assert_eq!(n.text, "fish");
        assert_eq!(n.original_range(0, 2), (0, "ﬁ".len()));
    }
}
