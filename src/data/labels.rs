//! Class names, and labels read from file and folder names as in the tutorial (`dog` is 1,
//! `cat` is 0), but by whole words: `noncat` is not `cat`.
//!
//! A class name is one word of letters (any script), at most [`MAX_NAME_CHARS`] long, kept in
//! lower case: a file name gives a label by containing the name as a word, and a word is a run
//! of letters, so a name with a space or a digit could never label a file.

use crate::error::ClassNameProblem;
use crate::{Error, Result};

/// The longest class name, in characters: a word, not a sentence, and short enough to label a
/// drop zone, a table's header and a bar.
pub const MAX_NAME_CHARS: usize = 40;

/// The two class names: index 0 is label 0 (negative), index 1 is label 1 (positive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classes {
    names: [String; 2],
}

impl Default for Classes {
    /// The tutorial's classes: `cat` = 0, `dog` = 1.
    fn default() -> Self {
        Classes { names: ["cat".into(), "dog".into()] }
    }
}

impl Classes {
    /// Two different class names, each one word of letters of at most [`MAX_NAME_CHARS`];
    /// surrounding spaces are dropped and they are kept (and matched) in lower case.
    pub fn new(negative: &str, positive: &str) -> Result<Self> {
        let (negative, positive) = (name(negative)?, name(positive)?);
        if negative == positive {
            return Err(Error::BadClassName { name: positive, problem: ClassNameProblem::Same });
        }
        Ok(Classes { names: [negative, positive] })
    }

    /// Parses `"negative,positive"`, as given to `--classes`.
    pub fn parse(spec: &str) -> Result<Self> {
        match spec.split(',').collect::<Vec<_>>().as_slice() {
            [negative, positive] => Self::new(negative, positive),
            _ => Err(Error::BadClasses(spec.to_string())),
        }
    }

    /// The name of label 0 or 1.
    pub fn name(&self, label: u8) -> &str {
        &self.names[usize::from(label != 0)]
    }

    /// Both names, label 0 first.
    pub fn names(&self) -> [&str; 2] {
        [&self.names[0], &self.names[1]]
    }

    /// The label of a class name (case-insensitive), if it is one of the two.
    pub fn label_of(&self, name: &str) -> Option<u8> {
        let name = name.trim().to_lowercase();
        self.names.iter().position(|n| *n == name).map(|i| i as u8)
    }

    /// The label a path's names give: the file name first, then its folders from the nearest
    /// up. A name that says both classes, or a path where nothing does, is an error, never a guess.
    /// Pass the path relative to the folder the user chose, so folders above it do not count.
    pub fn label_for_path(&self, path: &str) -> Result<u8> {
        let mut parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
        if let Some(file) = parts.last_mut() {
            *file = file.rsplit_once('.').map_or(*file, |(stem, _)| stem);
        }
        for part in parts.iter().rev() {
            let found: Vec<u8> = words(part).filter_map(|w| self.label_of(&w)).collect();
            let (has0, has1) = (found.contains(&0), found.contains(&1));
            match (has0, has1) {
                (true, true) => return Err(self.label_error(path, "both")),
                (true, false) => return Ok(0),
                (false, true) => return Ok(1),
                (false, false) => {}
            }
        }
        Err(self.label_error(path, "neither"))
    }

    fn label_error(&self, path: &str, which: &str) -> Error {
        Error::Unlabelled { path: path.to_string(), classes: self.names.clone(), both: which == "both" }
    }
}

/// One class name, trimmed and in lower case, or why it cannot be one.
fn name(given: &str) -> Result<String> {
    let name = given.trim().to_lowercase();
    let chars = name.chars().count();
    let problem = if name.is_empty() {
        ClassNameProblem::Empty
    } else if chars > MAX_NAME_CHARS {
        ClassNameProblem::TooLong { chars, limit: MAX_NAME_CHARS }
    } else if !name.chars().all(char::is_alphabetic) {
        ClassNameProblem::NotLetters
    } else {
        return Ok(name);
    };
    Err(Error::BadClassName { name: given.trim().to_string(), problem })
}

/// Lower-case words of a name: runs of letters, so `cat.12`, `Cat_12` and `cat12` all hold `cat`.
fn words(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats_dogs() -> Classes {
        Classes::default()
    }

    #[test]
    fn the_file_name_gives_the_label() {
        let c = cats_dogs();
        assert_eq!(c.label_for_path("cat.10023.jpg").unwrap(), 0);
        assert_eq!(c.label_for_path("dog.7.png").unwrap(), 1);
        assert_eq!(c.label_for_path("My_Dog-2.JPG").unwrap(), 1);
        assert_eq!(c.label_for_path("cat12.jpg").unwrap(), 0);
    }

    #[test]
    fn folders_count_when_the_file_name_says_nothing() {
        let c = cats_dogs();
        assert_eq!(c.label_for_path("train/dog/IMG_0001.jpg").unwrap(), 1);
        assert_eq!(c.label_for_path("photos\\cats and more\\cat\\x.png").unwrap(), 0);
    }

    #[test]
    fn the_nearest_name_wins() {
        assert_eq!(cats_dogs().label_for_path("dog/cat.1.jpg").unwrap(), 0);
    }

    #[test]
    fn whole_words_only_noncat_is_not_cat() {
        let c = Classes::parse("noncat,cat").unwrap();
        assert_eq!(c.label_for_path("train/noncat/000.png").unwrap(), 0);
        assert_eq!(c.label_for_path("train/cat/002.png").unwrap(), 1);
        assert!(cats_dogs().label_for_path("noncat/000.png").is_err());
        assert!(cats_dogs().label_for_path("concatenate.png").is_err());
    }

    #[test]
    fn the_extension_is_not_a_word() {
        let c = Classes::new("png", "dog").unwrap();
        assert!(c.label_for_path("photo.png").is_err());
    }

    #[test]
    fn rejects_a_name_that_says_both_classes() {
        let err = cats_dogs().label_for_path("cat-and-dog.jpg").unwrap_err();
        assert!(matches!(&err, Error::Unlabelled { both: true, .. }), "{err}");
    }

    #[test]
    fn rejects_a_name_that_says_neither_class() {
        let err = cats_dogs().label_for_path("holiday/IMG_0001.jpg").unwrap_err();
        assert!(matches!(&err, Error::Unlabelled { both: false, .. }), "{err}");
    }

    #[test]
    fn class_names_are_configurable_and_case_insensitive() {
        let c = Classes::parse(" NonCat , Cat ").unwrap();
        assert_eq!(c.names(), ["noncat", "cat"]);
        assert_eq!(c.label_of("CAT"), Some(1));
        assert_eq!(c.name(0), "noncat");
    }

    #[test]
    fn rejects_bad_class_lists() {
        for spec in ["cat", "cat,dog,bird", ""] {
            assert!(matches!(Classes::parse(spec), Err(Error::BadClasses(_))), "{spec}");
        }
    }

    fn problem(negative: &str, positive: &str) -> (String, ClassNameProblem) {
        match Classes::new(negative, positive) {
            Err(Error::BadClassName { name, problem }) => (name, problem),
            other => panic!("{negative:?}, {positive:?} gave {other:?}"),
        }
    }

    #[test]
    fn rejects_an_empty_name() {
        assert_eq!(problem("cat", "   "), (String::new(), ClassNameProblem::Empty));
        assert_eq!(problem("", "dog"), (String::new(), ClassNameProblem::Empty));
    }

    #[test]
    fn rejects_equal_names_whatever_their_case() {
        assert_eq!(problem("Cat", " cat "), ("cat".into(), ClassNameProblem::Same));
    }

    #[test]
    fn rejects_an_over_long_name() {
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(problem("cat", &long), (long, ClassNameProblem::TooLong { chars: 41, limit: 40 }));
        // Characters, not bytes: 40 two-byte letters are fine.
        assert!(Classes::new(&"é".repeat(MAX_NAME_CHARS), "dog").is_ok());
    }

    #[test]
    fn rejects_a_name_that_is_not_one_word_of_letters() {
        for bad in ["dog2", "my cat", "cat-dog", "🐈"] {
            assert_eq!(problem("cat", bad), (bad.to_string(), ClassNameProblem::NotLetters), "{bad}");
        }
    }

    #[test]
    fn names_in_other_scripts_label_files() {
        let c = Classes::new("Chat", "犬").unwrap();
        assert_eq!(c.names(), ["chat", "犬"]);
        assert_eq!(c.label_for_path("photos/犬/1.jpg").unwrap(), 1);
        assert_eq!(c.label_for_path("CHAT_07.png").unwrap(), 0);
    }
}
