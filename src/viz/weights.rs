//! What a raw-pixel model learned, as a picture: its 12,288 weights folded back onto the 64x64
//! photo they multiply, one colour per pixel. Each pixel's three channel weights are summed, so
//! the picture shows where brightness pushes the model towards dog (blue) or towards cat
//! (orange); white is a pixel the model ignores.

use crate::model::Model;
use crate::photo::{CHANNELS, PHOTO_BYTES, SIDE};
use crate::{Error, Result};

/// The colour of a pixel whose weights push the hardest towards label 1 (dog), as in the chart.
pub const POSITIVE: [u8; 3] = [37, 99, 235];
/// The colour of a pixel whose weights push the hardest towards label 0 (cat).
pub const NEGATIVE: [u8; 3] = [234, 88, 12];

/// The weights of a raw-pixel model as 64x64 RGBA (row after row, alpha 255), scaled so the
/// largest summed weight in either direction gets the full colour.
pub fn weight_picture(model: &Model) -> Result<Vec<u8>> {
    if model.features() != PHOTO_BYTES {
        return Err(Error::Setting(format!(
            "the weights picture needs a model of the {PHOTO_BYTES} raw pixels; this one has {} features (HOG features are not pixels)",
            model.features()
        )));
    }
    let sums: Vec<f64> = model.w.to_vec().chunks_exact(CHANNELS).map(|c| c.iter().sum()).collect();
    let largest = sums.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let mut rgba = Vec::with_capacity(SIDE as usize * SIDE as usize * 4);
    for sum in sums {
        // All-zero weights (an untrained model) are all white rather than 0/0.
        let t = if largest > 0.0 { sum / largest } else { 0.0 };
        let target = if t >= 0.0 { POSITIVE } else { NEGATIVE };
        rgba.extend(target.map(|c| blend(c, t.abs())));
        rgba.push(255);
    }
    Ok(rgba)
}

/// White blended towards `colour` by `amount` (0 to 1).
pub(crate) fn blend(colour: u8, amount: f64) -> u8 {
    (255.0 + (f64::from(colour) - 255.0) * amount).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    fn pixel(rgba: &[u8], x: usize, y: usize) -> [u8; 4] {
        let i = (y * SIDE as usize + x) * 4;
        [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
    }

    #[test]
    fn strongest_weights_get_the_full_colours_and_zero_is_white() {
        let mut w = Array1::zeros(PHOTO_BYTES);
        // Pixel (x 2, y 0) pushes to dog through its three channels together: 0.5 + 0.3 + 0.2.
        w[6] = 0.5;
        w[7] = 0.3;
        w[8] = 0.2;
        // Pixel (x 1, y 3) pushes to cat half as hard.
        let at = (3 * 64 + 1) * 3;
        w[at] = -0.5;
        let rgba = weight_picture(&Model { w, b: 4.0 }).unwrap();
        assert_eq!(rgba.len(), 64 * 64 * 4);
        assert_eq!(pixel(&rgba, 2, 0), [37, 99, 235, 255]);
        assert_eq!(pixel(&rgba, 1, 3), [blend(234, 0.5), blend(88, 0.5), blend(12, 0.5), 255]);
        assert_eq!(pixel(&rgba, 1, 3), [245, 172, 134, 255]);
        assert_eq!(pixel(&rgba, 0, 0), [255, 255, 255, 255]);
        assert!(rgba.chunks_exact(4).all(|p| p[3] == 255));
    }

    #[test]
    fn an_untrained_model_is_all_white() {
        let rgba = weight_picture(&Model::zeros(PHOTO_BYTES)).unwrap();
        assert!(rgba.iter().all(|&v| v == 255));
    }

    #[test]
    fn rejects_models_that_do_not_see_pixels() {
        assert!(matches!(weight_picture(&Model::zeros(452)), Err(Error::Setting(m)) if m.contains("452")));
    }
}
