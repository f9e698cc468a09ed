//! Feature jobs' stories: a job survives its bytes, a wrong message is an error, and a helper's
//! features are the lead's to the bit, for a fixed kind and a learned one, mirrored or not.

use super::*;
use crate::features::learned::{Dictionary, LearnedParams};
use crate::features::{FeatureKind, FeatureSpec};
use std::sync::Arc;

fn photos(count: u32) -> Vec<Vec<u8>> {
    (0..count)
        .map(|k| (0..PHOTO_BYTES as u32).map(|i| ((i * (k + 3) + i / 192 * 7 + k * k) % 256) as u8).collect())
        .collect()
}

fn job(number: u32, photos: &[Vec<u8>], flipped: &[bool]) -> FeatureJob {
    FeatureJob { number, flipped: flipped.to_vec(), pixels: photos.concat() }
}

fn learned() -> Featurizer {
    let mut spec = FeatureSpec::new(FeatureKind::LearnedHogColor);
    spec.learned = LearnedParams { centroids: 8, patches: 200, iterations: 3, ..LearnedParams::default() };
    let photos = photos(6);
    let dictionary = Dictionary::learn(photos.iter().map(Vec::as_slice), &spec.learned, 1).unwrap();
    Featurizer::learned(spec, Arc::new(dictionary)).unwrap()
}

fn shard_error(result: Result<FeatureJob>) -> &'static str {
    match result {
        Err(Error::Shard(why)) => why,
        other => panic!("expected a shard error, got {other:?}"),
    }
}

#[test]
fn a_job_reads_back_from_its_bytes() {
    let photos = photos(3);
    let sent = job(7, &photos, &[false, true, false]);
    let bytes = sent.to_bytes();
    assert_eq!(bytes.len(), HEADER + 3 + 3 * PHOTO_BYTES);
    assert_eq!(FeatureJob::from_bytes(&bytes).unwrap(), sent);
    let empty = job(u32::MAX, &[], &[]);
    assert!(empty.is_empty());
    assert_eq!(FeatureJob::from_bytes(&empty.to_bytes()).unwrap(), empty);
}

#[test]
fn rejects_every_cut_of_a_job_and_other_bytes() {
    let bytes = job(1, &photos(2), &[true, false]).to_bytes();
    for end in 0..bytes.len() {
        assert!(FeatureJob::from_bytes(&bytes[..end]).is_err(), "cut at {end} was read");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(shard_error(FeatureJob::from_bytes(&longer)).contains("not as long"));
    let mut magic = bytes.clone();
    magic[0] = b'X';
    assert!(shard_error(FeatureJob::from_bytes(&magic)).contains("header"));
    let mut flag = bytes.clone();
    flag[HEADER + 1] = 2;
    assert!(shard_error(FeatureJob::from_bytes(&flag)).contains("mirrored"));
    // A count so large its length overflows is refused, not allocated.
    let mut huge = bytes;
    huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(FeatureJob::from_bytes(&huge).is_err());
}

#[test]
fn rejects_features_that_are_not_a_featurizer() {
    assert!(matches!(FeatureWorker::new(&[0xff, 0xfe]), Err(Error::Shard(_))));
    assert!(matches!(FeatureWorker::new(b"{\"features\":\"pixels\"}"), Err(Error::ModelFile(_))));
    assert!(matches!(FeatureWorker::new(b"{\"features\":\"learned\"}"), Err(Error::ModelFile(_))));
    assert!(matches!(FeatureWorker::new(b"not json"), Err(Error::ModelFile(_))));
}

#[test]
fn a_helper_computes_what_the_lead_would_for_fixed_and_learned_kinds() {
    let photos = photos(4);
    let flipped = [false, true, true, false];
    for featurizer in [Featurizer::fixed(FeatureSpec::new(FeatureKind::HogColor)).unwrap(), learned()] {
        let helper = FeatureWorker::new(&featurizer_to_bytes(&featurizer)).unwrap();
        assert_eq!(helper.features(), featurizer.features());
        let sent = FeatureJob::from_bytes(&job(0, &photos, &flipped).to_bytes()).unwrap();
        let rows = helper.compute(&sent).unwrap();
        let lead: Vec<f64> =
            photos.iter().zip(flipped).flat_map(|(p, f)| features_of(&featurizer, f, p).unwrap()).collect();
        assert_eq!(rows.len(), 4 * featurizer.features());
        assert_eq!(
            rows.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            lead.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        // A mirrored photo's features differ, so the flags were followed.
        assert_ne!(rows[..featurizer.features()], rows[featurizer.features()..2 * featurizer.features()]);
        assert_eq!(rows[..featurizer.features()], featurizer.extract(&photos[0]).unwrap()[..]);
    }
}

#[test]
fn a_learned_featurizer_reads_back_to_the_bit() {
    let featurizer = learned();
    let text = file::featurizer_to_json(&featurizer);
    let back = file::featurizer_from_json(&text).unwrap();
    assert_eq!(back.spec(), featurizer.spec());
    assert_eq!(file::featurizer_to_json(&back), text);
    let photo = &photos(1)[0];
    let (a, b) = (featurizer.extract(photo).unwrap(), back.extract(photo).unwrap());
    assert_eq!(a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), b.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
}
