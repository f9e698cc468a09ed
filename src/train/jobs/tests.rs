//! Helper workers' jobs: a job and a part of the patches survive their bytes, a wrong message is
//! an error, and a helper's features and assignments are the lead's to the bit (features for a
//! fixed kind and a learned one, mirrored or not).

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

fn patches(rows: usize, dp: usize) -> ClusterRows {
    let values = (0..rows * dp).map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0).collect();
    ClusterRows { dp, values }
}

#[test]
fn patches_read_back_from_their_bytes_and_every_cut_is_refused() {
    let sent = patches(5, 8);
    let bytes = sent.to_bytes();
    assert_eq!(ClusterRows::from_bytes(&bytes).unwrap(), sent);
    for end in 0..bytes.len() {
        assert!(ClusterRows::from_bytes(&bytes[..end]).is_err(), "cut at {end} was read");
    }
    let mut zero_dp = bytes.clone();
    zero_dp[8..12].copy_from_slice(&0u32.to_le_bytes());
    assert!(matches!(ClusterRows::from_bytes(&zero_dp), Err(Error::Shard(_))));
    let mut huge = bytes;
    huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(ClusterRows::from_bytes(&huge), Err(Error::Shard(_))));
}

#[test]
fn a_helper_assigns_its_patches_as_the_lead_would_and_bad_answers_are_refused() {
    let rows = patches(40, 8);
    let centroids: Vec<f32> = rows.values[3 * 8..6 * 8].to_vec();
    let helper = ClusterWorker::new(&rows.to_bytes()).unwrap();
    assert_eq!((helper.len(), helper.is_empty()), (40, false));
    let wire = helper.assign(&centroids).unwrap();
    let mut lead = vec![(0, 0.0); 40];
    assign(&rows.values, 8, &centroids, &mut lead);
    assert_eq!(assignments_from_wire(&wire, 3).unwrap(), lead);
    // Patch 4 is centroid 1 itself: distance 0 (the squared distance is computed as |p|² + |c|² - 2p·c).
    assert_eq!(lead[4].0, 1);
    assert!(lead.iter().any(|&(j, _)| j == 0) && lead.iter().any(|&(j, _)| j == 2));
    assert!(matches!(assignments_from_wire(&wire, 2), Err(Error::Shard(_))));
    assert!(matches!(helper.assign(&centroids[..7]), Err(Error::MismatchedShapes { .. })));
    assert!(matches!(helper.assign(&[]), Err(Error::MismatchedShapes { .. })));
}
