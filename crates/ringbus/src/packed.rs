//! The packed form of many string publishes: their payloads end to end in one string, cut by
//! their lengths in UTF-16 units (JS string lengths). Plain Rust, tested without Node.

/// Cut `joined` into pieces of the given UTF-16 lengths; None if they do not add up exactly.
pub fn split_utf16<'a>(joined: &'a str, lengths: &[u32]) -> Option<Vec<&'a str>> {
    let total: u64 = lengths.iter().map(|&l| u64::from(l)).sum();
    let mut pieces = Vec::with_capacity(lengths.len());
    if total == joined.len() as u64 && joined.is_ascii() {
        // All ASCII: a unit is a byte.
        let mut at = 0;
        for &len in lengths {
            pieces.push(&joined[at..at + len as usize]);
            at += len as usize;
        }
        return Some(pieces);
    }
    let mut chars = joined.char_indices().peekable();
    for &len in lengths {
        let start = chars.peek().map_or(joined.len(), |&(i, _)| i);
        let mut units = 0;
        while units < len as usize {
            let (_, ch) = chars.next()?;
            units += ch.len_utf16();
        }
        if units != len as usize {
            return None;
        }
        let end = chars.peek().map_or(joined.len(), |&(i, _)| i);
        pieces.push(&joined[start..end]);
    }
    chars.next().is_none().then_some(pieces)
}

#[cfg(test)]
mod tests {
    use super::split_utf16;

    #[test]
    fn splits_by_utf16_lengths() {
        assert_eq!(split_utf16("abcdef", &[1, 0, 5]), Some(vec!["a", "", "bcdef"]));
        assert_eq!(split_utf16("é😀x", &[1, 2, 1]), Some(vec!["é", "😀", "x"]));
        assert_eq!(split_utf16("abc", &[1, 1]), None, "lengths short of the string");
        assert_eq!(split_utf16("abc", &[2, 2]), None, "lengths past the string");
        assert_eq!(split_utf16("😀", &[1, 1]), None, "a cut inside a surrogate pair");
        assert_eq!(split_utf16("", &[]), Some(vec![]));
    }
}
