//! A prepared photo's shape, the label a photo has, and the model's answer for one: the 0.5
//! threshold between the two classes lives here and nowhere else.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Side of the square the model sees, in pixels.
pub const SIDE: u32 = 64;
/// Colour channels per pixel (RGB).
pub const CHANNELS: usize = 3;
/// Bytes of one prepared photo: 64 * 64 * 3, row-major, RGB interleaved.
pub const PHOTO_BYTES: usize = (SIDE as usize) * (SIDE as usize) * CHANNELS;

/// Which of the two classes a photo is: 0 (the first class name, `cat` by default) or 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Label(u8);

impl Label {
    /// The first class.
    pub const ZERO: Label = Label(0);
    /// The second class, the one the model gives the probability of.
    pub const ONE: Label = Label(1);

    /// Label 0 or 1; anything else is refused.
    pub fn new(value: u8) -> Result<Label> {
        match value {
            0 | 1 => Ok(Label(value)),
            other => Err(Error::BadLabel(other)),
        }
    }

    /// 0 or 1.
    pub fn value(self) -> u8 {
        self.0
    }

    /// 0 or 1, for indexing per-class arrays.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The label the model predicts for probability `p` of label 1: above one half means 1.
    pub fn for_probability(p: f64) -> Label {
        Label(u8::from(p > THRESHOLD))
    }
}

impl TryFrom<u8> for Label {
    type Error = Error;

    fn try_from(value: u8) -> Result<Label> {
        Label::new(value)
    }
}

impl From<Label> for u8 {
    fn from(label: Label) -> u8 {
        label.0
    }
}

/// A probability of label 1 above this is a prediction of label 1; exactly one half is label 0.
pub const THRESHOLD: f64 = 0.5;

/// The model's answer for one photo.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prediction {
    /// The class predicted.
    pub label: Label,
    /// The probability of label 1.
    pub probability: f64,
}

impl Prediction {
    /// The prediction that goes with probability `p` of label 1.
    pub fn from_probability(p: f64) -> Prediction {
        Prediction { label: Label::for_probability(p), probability: p }
    }

    /// The probability of each class, label 0 first.
    pub fn probabilities(&self) -> [f64; 2] {
        [1.0 - self.probability, self.probability]
    }

    /// The probability of the predicted class.
    pub fn confidence(&self) -> f64 {
        self.probabilities()[self.label.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_half_is_the_first_class_and_anything_above_the_second() {
        assert_eq!(Label::for_probability(0.5), Label::ZERO);
        assert_eq!(Label::for_probability(0.500_000_1), Label::ONE);
        let p = Prediction::from_probability(0.2);
        assert_eq!((p.label, p.probabilities(), p.confidence()), (Label::ZERO, [0.8, 0.2], 0.8));
    }

    #[test]
    fn rejects_labels_other_than_zero_and_one() {
        assert!(matches!(Label::new(2), Err(Error::BadLabel(2))));
        assert_eq!(Label::new(1).unwrap().index(), 1);
        assert!(serde_json::from_str::<Label>("7").is_err());
        assert_eq!(serde_json::to_string(&Label::ONE).unwrap(), "1");
    }
}
