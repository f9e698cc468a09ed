//! A feature spec with what it learned from a run's training photos (the learned kinds'
//! dictionary): everything needed to turn any photo into the model's input, at training time
//! and in a model file alike.

use std::sync::Arc;

use crate::features::learned::Dictionary;
use crate::features::FeatureSpec;
use crate::{Error, Result};

/// A spec, and its dictionary when the kind learns one.
#[derive(Debug, Clone, PartialEq)]
pub struct Featurizer {
    spec: FeatureSpec,
    dictionary: Option<Arc<Dictionary>>,
}

impl Featurizer {
    /// A kind that learns nothing from photos.
    pub fn fixed(spec: FeatureSpec) -> Result<Featurizer> {
        spec.validate()?;
        if spec.needs_dictionary() {
            return Err(Error::NoDictionary(spec.kind.name()));
        }
        Ok(Featurizer { spec, dictionary: None })
    }

    /// A learned kind with the dictionary it learned; the dictionary must be of the spec's sizes.
    pub fn learned(spec: FeatureSpec, dictionary: Arc<Dictionary>) -> Result<Featurizer> {
        spec.validate()?;
        if !spec.needs_dictionary() {
            return Err(Error::Setting(format!("feature kind {} learns no dictionary", spec.kind)));
        }
        if *dictionary.params() != spec.learned {
            return Err(Error::Setting("the dictionary was learned with other sizes than the feature spec's".into()));
        }
        Ok(Featurizer { spec, dictionary: Some(dictionary) })
    }

    /// The spec.
    pub fn spec(&self) -> &FeatureSpec {
        &self.spec
    }

    /// The dictionary of a learned kind.
    pub fn dictionary(&self) -> Option<&Dictionary> {
        self.dictionary.as_deref()
    }

    /// Number of features a photo gives.
    pub fn features(&self) -> usize {
        self.spec.features()
    }

    /// The features of one photo (12,288 bytes): the dictionary's first, then the spec's own.
    pub fn extract(&self, pixels: &[u8]) -> Result<Vec<f64>> {
        let Some(dictionary) = &self.dictionary else {
            return self.spec.extract(pixels);
        };
        let mut features = dictionary.extract(pixels)?;
        features.extend(self.spec.extract(pixels)?);
        Ok(features)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::learned::LearnedParams;
    use crate::features::FeatureKind;
    use crate::photo::PHOTO_BYTES;

    fn photos() -> Vec<Vec<u8>> {
        (0..6u32)
            .map(|k| (0..PHOTO_BYTES as u32).map(|i| ((i * (k + 3) + i / 192 * 7) % 256) as u8).collect())
            .collect()
    }

    fn small() -> LearnedParams {
        LearnedParams { centroids: 8, patches: 200, iterations: 3, ..LearnedParams::default() }
    }

    #[test]
    fn learned_features_come_first_then_hog_and_colour() {
        let mut spec = FeatureSpec::new(FeatureKind::LearnedHogColor);
        spec.learned = small();
        let photos = photos();
        let dictionary = Arc::new(Dictionary::learn(photos.iter().map(Vec::as_slice), &spec.learned, 1).unwrap());
        let featurizer = Featurizer::learned(spec, dictionary.clone()).unwrap();
        let x = featurizer.extract(&photos[2]).unwrap();
        assert_eq!(x.len(), featurizer.features());
        let learned = dictionary.extract(&photos[2]).unwrap();
        assert_eq!(x[..learned.len()], learned[..]);
        assert_eq!(x[learned.len()..], FeatureSpec::new(FeatureKind::HogColor).extract(&photos[2]).unwrap()[..]);
    }

    #[test]
    fn rejects_a_learned_kind_without_its_dictionary_and_a_dictionary_of_other_sizes() {
        assert!(matches!(
            Featurizer::fixed(FeatureSpec::new(FeatureKind::Learned)),
            Err(Error::NoDictionary("learned"))
        ));
        let photos = photos();
        let dictionary = Arc::new(Dictionary::learn(photos.iter().map(Vec::as_slice), &small(), 1).unwrap());
        assert!(Featurizer::learned(FeatureSpec::new(FeatureKind::Learned), dictionary.clone()).is_err());
        assert!(Featurizer::learned(FeatureSpec::new(FeatureKind::Hog), dictionary).is_err());
        assert!(Featurizer::fixed(FeatureSpec::new(FeatureKind::Hog)).is_ok());
    }
}
