//! Live classification of camera frames, and both classes' probabilities for the page's bars.
//!
//! A camera's frames differ by noise and small movements, so each frame's own probability jumps
//! about and bars drawn from it flicker. Live frames are smoothed instead by an exponential
//! moving average of the probability of label 1: each frame moves the average a fixed share
//! ([`NEWEST_WEIGHT`]) of the way to its own probability. At the page's 150 ms between frames a
//! real change shows two thirds of the way in three frames (under half a second), while one odd
//! frame moves the bars by under a third of its jump.

/// How far one live frame moves the average towards its own probability.
pub const NEWEST_WEIGHT: f64 = 0.3;

/// The moving average of live frames' probabilities of label 1; empty until the first frame.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct LiveAverage {
    average: Option<f64>,
}

impl LiveAverage {
    /// Forgets the frames so far: the next frame starts the average afresh.
    pub fn reset(&mut self) {
        self.average = None;
    }

    /// Takes a frame's probability of label 1; returns the average including it. A
    /// probability that is not a number (never a sigmoid's) leaves the average as it was.
    pub fn add(&mut self, probability: f64) -> f64 {
        if probability.is_nan() {
            return self.average.unwrap_or(probability);
        }
        let average = self.average.map_or(probability, |a| a + NEWEST_WEIGHT * (probability - a));
        self.average = Some(average);
        average
    }
}

/// Both classes' probabilities, label 0 first, from the probability of label 1.
pub fn class_probabilities(probability_of_1: f64) -> [f64; 2] {
    [1.0 - probability_of_1, probability_of_1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_frame_is_taken_as_it_is() {
        assert_eq!(LiveAverage::default().add(0.9), 0.9);
    }

    #[test]
    fn each_frame_moves_the_average_a_fixed_share_of_the_way() {
        let mut live = LiveAverage::default();
        live.add(0.2);
        assert!((live.add(0.8) - (0.2 + 0.3 * 0.6)).abs() < 1e-12);
        // A steady answer is reached: within 1 % of the way after 13 frames (0.7^13 < 0.01).
        let last = (0..13).map(|_| live.add(0.8)).last().unwrap();
        assert!((0.8 - last).abs() < 0.01 * 0.6, "{last}");
    }

    #[test]
    fn one_odd_frame_moves_the_bars_by_under_a_third_of_its_jump() {
        let mut live = LiveAverage::default();
        (0..20).for_each(|_| _ = live.add(0.1));
        let after = live.add(1.0);
        assert!(after - 0.1 < 0.3 * 0.9 + 1e-9, "{after}");
        assert!(live.add(0.1) < after);
    }

    #[test]
    fn a_reset_starts_afresh() {
        let mut live = LiveAverage::default();
        live.add(0.1);
        live.reset();
        assert_eq!(live.add(0.7), 0.7);
    }

    #[test]
    fn rejects_a_probability_that_is_not_a_number_and_keeps_the_average() {
        let mut live = LiveAverage::default();
        assert!(live.add(f64::NAN).is_nan());
        assert_eq!(live.add(0.4), 0.4);
        assert_eq!(live.add(f64::NAN), 0.4);
    }

    #[test]
    fn both_probabilities_add_up_to_one() {
        assert_eq!(class_probabilities(0.75), [0.25, 0.75]);
    }
}
