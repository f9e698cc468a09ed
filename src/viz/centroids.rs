//! What a learned-features model saw, as a picture: the dictionary's patches, un-whitened back
//! into colours, ordered from the one that pushes the hardest towards label 1 (dog) to the one
//! that pushes the hardest towards label 0 (cat), each in a frame of the colour it pushes towards
//! (the weights picture's blue and orange), stronger for a stronger push.
//!
//! A patch's push is what one more unit of its activation, summed over the pooling cells, adds
//! to the logit: Σ over cells of w / std (the standardiser divides by std before the weights).

use crate::features::fitted::Featurizer;
use crate::features::learned::CentroidPicture;
use crate::features::standardize::Standardizer;
use crate::model::Model;
use crate::viz::weights::{blend, NEGATIVE, POSITIVE};
use crate::{Error, Result};

/// The learned patches of `features`' dictionary, ordered and framed by their push under `model`.
pub fn centroid_picture(
    features: &Featurizer,
    standardizer: Option<&Standardizer>,
    model: &Model,
) -> Result<CentroidPicture> {
    let dictionary = features.dictionary().ok_or(Error::NotLearned(features.spec().kind.name()))?;
    let pushes = pushes(features, standardizer, model)?;
    let tiles = dictionary.centroid_picture()?;
    let mut order: Vec<usize> = (0..pushes.len()).collect();
    order.sort_by(|&a, &b| pushes[b].total_cmp(&pushes[a]));
    let strongest = pushes.iter().fold(0.0_f64, |m, p| m.max(p.abs()));
    let side = dictionary.params().patch;
    let framed = side + 2;
    let cols = columns(pushes.len());
    let rows = pushes.len().div_ceil(cols);
    let (width, height) = (cols * (framed + 1) - 1, rows * (framed + 1) - 1);
    let mut rgba = vec![255u8; width * height * 4];
    for (place, &k) in order.iter().enumerate() {
        let t = if strongest > 0.0 { pushes[k] / strongest } else { 0.0 };
        let frame = if t >= 0.0 { POSITIVE } else { NEGATIVE }.map(|c| blend(c, t.abs().max(0.15)));
        let (ox, oy) = ((place % cols) * (framed + 1), (place / cols) * (framed + 1));
        for y in 0..framed {
            for x in 0..framed {
                let edge = x == 0 || y == 0 || x == framed - 1 || y == framed - 1;
                let pixel = if edge {
                    [frame[0], frame[1], frame[2], 255]
                } else {
                    tile_pixel(&tiles, side, pushes.len(), k, x - 1, y - 1)
                };
                let at = ((oy + y) * width + ox + x) * 4;
                rgba[at..at + 4].copy_from_slice(&pixel);
            }
        }
    }
    Ok(CentroidPicture { width: width as u32, height: height as u32, rgba })
}

/// Each dictionary patch's push on the logit (positive: towards label 1).
pub fn pushes(features: &Featurizer, standardizer: Option<&Standardizer>, model: &Model) -> Result<Vec<f64>> {
    let dictionary = features.dictionary().ok_or(Error::NotLearned(features.spec().kind.name()))?;
    let k = dictionary.params().centroids;
    let learned = dictionary.features();
    if model.features() != features.features() || learned > model.features() {
        return Err(Error::MismatchedShapes {
            what: "model weights",
            expected: features.features(),
            actual: model.features(),
        });
    }
    let scale = |i: usize| standardizer.and_then(|s| s.std.get(i).copied()).unwrap_or(1.0);
    let mut pushes = vec![0.0; k];
    // The learned features come first, cell after cell, each cell one value per patch.
    for i in 0..learned {
        pushes[i % k] += model.w[i] / scale(i);
    }
    Ok(pushes)
}

/// The pixel (x, y) of patch `k` of `count` in the dictionary's own tiling (rows of ⌈√count⌉,
/// one-pixel gaps).
fn tile_pixel(tiles: &CentroidPicture, side: usize, count: usize, k: usize, x: usize, y: usize) -> [u8; 4] {
    let cols = columns(count);
    let (ox, oy) = ((k % cols) * (side + 1), (k / cols) * (side + 1));
    let at = ((oy + y) * tiles.width as usize + ox + x) * 4;
    tiles.rgba.get(at..at + 4).and_then(|p| p.try_into().ok()).unwrap_or([255; 4])
}

/// Patches per row: ⌈√n⌉, as the dictionary tiles them.
fn columns(n: usize) -> usize {
    (1..=n).find(|c| c * c >= n).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::learned::{Dictionary, LearnedParams};
    use crate::features::{FeatureKind, FeatureSpec};
    use crate::photo::PHOTO_BYTES;
    use std::sync::Arc;

    fn featurizer() -> Featurizer {
        let mut spec = FeatureSpec::new(FeatureKind::Learned);
        spec.learned = LearnedParams { centroids: 5, patches: 100, iterations: 3, ..LearnedParams::default() };
        let photos: Vec<Vec<u8>> = (0..4u32)
            .map(|k| (0..PHOTO_BYTES as u32).map(|i| ((i * (k + 3) + i / 192 * 5) % 256) as u8).collect())
            .collect();
        let dictionary = Dictionary::learn(photos.iter().map(Vec::as_slice), &spec.learned, 2).unwrap();
        Featurizer::learned(spec, Arc::new(dictionary)).unwrap()
    }

    #[test]
    fn a_patch_pushes_by_its_weights_over_the_cells_divided_by_their_spread() {
        let f = featurizer();
        // 5 patches × 4 cells: patch 1's weights are 1, 2, 3, 4 over the cells; spread 2 everywhere.
        let mut model = Model::zeros(20);
        (0..4).for_each(|cell| model.w[cell * 5 + 1] = (cell + 1) as f64);
        model.w[3] = -7.0;
        let std = Standardizer { mean: vec![0.0; 20], std: vec![2.0; 20] };
        assert_eq!(pushes(&f, Some(&std), &model).unwrap(), [0.0, 5.0, 0.0, -3.5, 0.0]);
    }

    #[test]
    fn the_strongest_push_towards_label_1_comes_first_in_a_blue_frame() {
        let f = featurizer();
        let mut model = Model::zeros(20);
        model.w[2] = 3.0;
        model.w[4] = -5.0;
        let picture = centroid_picture(&f, None, &model).unwrap();
        let side = f.dictionary().unwrap().params().patch + 2;
        // 5 patches in rows of 3 framed tiles with one-pixel gaps.
        assert_eq!((picture.width as usize, picture.height as usize), (3 * (side + 1) - 1, 2 * (side + 1) - 1));
        let pixel = |x: usize, y: usize| picture.rgba[(y * picture.width as usize + x) * 4..][..3].to_vec();
        assert_eq!(pixel(0, 0), blend_all(POSITIVE, 0.6));
        // The last one placed (place 4: row 1, column 1) is the strongest push towards label 0.
        assert_eq!(pixel(side + 1, side + 1), NEGATIVE.to_vec());
        let inside = pixel(1, 1);
        let tiles = f.dictionary().unwrap().centroid_picture().unwrap();
        assert_eq!(inside, tile_pixel(&tiles, side - 2, 5, 2, 0, 0)[..3].to_vec());
    }

    fn blend_all(colour: [u8; 3], t: f64) -> Vec<u8> {
        colour.map(|c| blend(c, t)).to_vec()
    }

    #[test]
    fn rejects_a_model_without_a_dictionary_or_of_another_size() {
        let hog = Featurizer::fixed(FeatureSpec::new(FeatureKind::Hog)).unwrap();
        assert!(matches!(centroid_picture(&hog, None, &Model::zeros(324)), Err(Error::NotLearned("hog"))));
        assert!(matches!(pushes(&featurizer(), None, &Model::zeros(7)), Err(Error::MismatchedShapes { .. })));
    }
}
