//! How well predictions match labels, computed as the tutorial prints them.

/// Percent correct, with the tutorial's formula `100 - mean(|prediction - label|) * 100`, so the
/// digits match its printout (99.04306220095694, not 99.04306220095695).
pub fn accuracy(predictions: &[u8], labels: &[u8]) -> f64 {
    if labels.is_empty() {
        return f64::NAN;
    }
    let wrong = predictions.iter().zip(labels).filter(|(p, l)| p != l).count();
    100.0 - (wrong as f64 / labels.len() as f64) * 100.0
}

/// Counts of (label, prediction) pairs: `[[true 0, 0 taken for 1], [1 taken for 0, true 1]]`.
pub fn confusion(predictions: &[u8], labels: &[u8]) -> [[usize; 2]; 2] {
    let mut counts = [[0; 2]; 2];
    for (&p, &l) in predictions.iter().zip(labels) {
        counts[usize::from(l != 0)][usize::from(p != 0)] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_has_the_tutorials_digits() {
        let labels = vec![1u8; 209];
        let mut predictions = labels.clone();
        predictions[0] = 0;
        predictions[1] = 0;
        assert_eq!(accuracy(&predictions, &labels), 99.04306220095694);
        assert_eq!(accuracy(&[1, 0], &[1, 1]), 50.0);
    }

    #[test]
    fn confusion_counts_each_pair() {
        assert_eq!(confusion(&[0, 1, 1, 0], &[0, 1, 0, 1]), [[1, 1], [1, 1]]);
    }
}
