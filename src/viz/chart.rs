//! The loss chart: training and held-out cost against iteration, with labelled axes and a
//! legend, drawn with plotters on any `DrawingBackend` (a canvas in the page, anything in tests).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{Error, Result};

/// More points than a chart is wide only cost time; longer histories are thinned to this many.
pub const MAX_POINTS: usize = 1200;

const TRAIN_COLOUR: RGBColor = RGBColor(37, 99, 235);
const TEST_COLOUR: RGBColor = RGBColor(234, 88, 12);
const GRID_COLOUR: RGBColor = RGBColor(226, 232, 240);
const FINE_GRID_COLOUR: RGBColor = RGBColor(243, 246, 249);

/// The cost histories to draw: one value per iteration from iteration 0, and how many
/// iterations the run will take (the x axis spans the whole run from the start).
#[derive(Debug, Clone, Copy)]
pub struct LossHistory<'a> {
    /// Cost on the training photos.
    pub train: &'a [f64],
    /// Cost on the held-out photos (may be empty).
    pub test: &'a [f64],
    /// Iterations the run was started with.
    pub iterations: usize,
}

/// Draws the chart over the whole backend area.
pub fn draw_loss<DB: DrawingBackend>(backend: DB, history: LossHistory) -> Result<()> {
    let chart_error = |e: DrawingAreaErrorKind<DB::ErrorType>| Error::Chart(e.to_string());
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(chart_error)?;
    let x_end = history.iterations.max(history.train.len()).max(1);
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0..x_end, 0.0..y_top(history))
        .map_err(chart_error)?;
    chart
        .configure_mesh()
        .light_line_style(FINE_GRID_COLOUR)
        .bold_line_style(GRID_COLOUR)
        .x_desc("iteration")
        .y_desc("cost")
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .draw()
        .map_err(chart_error)?;
    let mut drawn = Vec::new();
    for (values, colour, label) in
        [(history.train, TRAIN_COLOUR, "training cost"), (history.test, TEST_COLOUR, "held-out cost")]
    {
        if values.is_empty() {
            continue;
        }
        chart.draw_series(LineSeries::new(thinned(values, MAX_POINTS), colour.stroke_width(2))).map_err(chart_error)?;
        drawn.push((colour, label));
    }
    if !history.train.is_empty() {
        draw_legend(&chart.plotting_area().strip_coord_spec(), &drawn).map_err(chart_error)?;
    }
    root.present().map_err(chart_error)
}

/// The legend in the plot's upper right corner: a short line of each series' colour and its name,
/// on a white box. Drawn here rather than by plotters' series labels, which measure their text
/// without asking the backend (in wasm, through a `<span>` with a `style` attribute, which the
/// page's Content-Security-Policy refuses); here the backend measures it (the page's canvas).
fn draw_legend<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    entries: &[(RGBColor, &str)],
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    const PAD: i32 = 8;
    const SAMPLE: i32 = 18;
    let style = TextStyle::from(("sans-serif", 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let (mut text_width, mut line) = (0, 0);
    for (_, label) in entries {
        let (w, h) = plot.estimate_text_size(label, &style)?;
        text_width = text_width.max(w as i32);
        line = line.max(h as i32 + 4);
    }
    let (plot_width, _) = plot.dim_in_pixel();
    let (width, height) = (3 * PAD + SAMPLE + text_width, 2 * PAD + line * entries.len() as i32);
    let (left, top) = (plot_width as i32 - width - PAD, PAD);
    let corners = [(left, top), (left + width, top + height)];
    plot.draw(&Rectangle::new(corners, WHITE.mix(0.9).filled()))?;
    plot.draw(&Rectangle::new(corners, GRID_COLOUR))?;
    for (k, (colour, label)) in entries.iter().enumerate() {
        let y = top + PAD + line * k as i32 + line / 2;
        plot.draw(&PathElement::new([(left + PAD, y), (left + PAD + SAMPLE, y)], colour.stroke_width(2)))?;
        plot.draw(&Text::new(*label, (left + 2 * PAD + SAMPLE, y), style.clone()))?;
    }
    Ok(())
}

/// The y axis runs from 0 to a little above the largest finite cost (1 before any cost).
fn y_top(history: LossHistory) -> f64 {
    let max = history.train.iter().chain(history.test).copied().filter(|c| c.is_finite()).fold(0.0, f64::max);
    if max > 0.0 {
        max * 1.08
    } else {
        1.0
    }
}

/// At most about `max_points` (iteration, cost) pairs: each run of iterations keeps its lowest
/// and highest cost, so an oscillating cost still shows its full swing; the last value is kept.
pub fn thinned(values: &[f64], max_points: usize) -> Vec<(usize, f64)> {
    let stride = values.len().div_ceil((max_points / 2).max(1)).max(1);
    if stride == 1 {
        return values.iter().copied().enumerate().collect();
    }
    let mut points = Vec::with_capacity(max_points + 1);
    for (bucket, chunk) in values.chunks(stride).enumerate() {
        let (low, high) = extremes(chunk);
        for i in if low <= high { [low, high] } else { [high, low] } {
            if points.last().is_none_or(|&(last, _)| last != bucket * stride + i) {
                points.push((bucket * stride + i, chunk[i]));
            }
        }
    }
    let last = values.len() - 1;
    if points.last().is_some_and(|&(i, _)| i != last) {
        points.push((last, values[last]));
    }
    points
}

/// Indices of the smallest and largest value of a non-empty slice (NaN never wins).
fn extremes(chunk: &[f64]) -> (usize, usize) {
    let (mut low, mut high) = (0, 0);
    for (i, &v) in chunk.iter().enumerate() {
        if v < chunk[low] {
            low = i;
        }
        if v > chunk[high] {
            high = i;
        }
    }
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

    /// Records what plotters asks a backend to do.
    #[derive(Default)]
    struct Recorder {
        coloured: Vec<(i32, i32)>,
        texts: Vec<String>,
        paths: Vec<(usize, (u8, u8, u8))>,
        measured: std::cell::RefCell<Vec<String>>,
    }

    impl DrawingBackend for &mut Recorder {
        type ErrorType = std::fmt::Error;
        fn get_size(&self) -> (u32, u32) {
            (400, 250)
        }
        fn ensure_prepared(&mut self) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            Ok(())
        }
        fn present(&mut self) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            Ok(())
        }
        fn draw_pixel(
            &mut self,
            at: BackendCoord,
            c: BackendColor,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            if c.rgb != (255, 255, 255) {
                self.coloured.push(at);
            }
            Ok(())
        }
        fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            path: I,
            style: &S,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.paths.push((path.into_iter().count(), style.color().rgb));
            Ok(())
        }
        fn draw_text<S: BackendTextStyle>(
            &mut self,
            text: &str,
            _: &S,
            _: BackendCoord,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.texts.push(text.to_string());
            Ok(())
        }
        fn estimate_text_size<S: BackendTextStyle>(
            &self,
            text: &str,
            _: &S,
        ) -> std::result::Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
            self.measured.borrow_mut().push(text.to_string());
            Ok((7 * text.len() as u32, 15))
        }
    }

    /// Point counts of the paths drawn in `colour`.
    fn paths_in(recorder: &Recorder, colour: RGBColor) -> Vec<usize> {
        recorder.paths.iter().filter(|p| p.1 == (colour.0, colour.1, colour.2)).map(|p| p.0).collect()
    }

    #[test]
    fn draws_both_curves_axes_and_legend() {
        let train: Vec<f64> = (0..50).map(|i| 0.69 / (1.0 + i as f64)).collect();
        let test: Vec<f64> = train.iter().map(|c| c + 0.1).collect();
        let mut recorder = Recorder::default();
        draw_loss(&mut recorder, LossHistory { train: &train, test: &test, iterations: 100 }).unwrap();
        for text in ["iteration", "cost", "training cost", "held-out cost"] {
            assert!(recorder.texts.iter().any(|t| t == text), "{text} missing from {:?}", recorder.texts);
        }
        // Each curve, then its two-point sample in the legend.
        assert_eq!(paths_in(&recorder, TRAIN_COLOUR), [50, 2]);
        assert_eq!(paths_in(&recorder, TEST_COLOUR), [50, 2]);
        assert!(!recorder.coloured.is_empty());
        // The legend's names are measured by the backend (in the page, the canvas), not by plotters' fonts.
        let measured = recorder.measured.borrow();
        assert!(["training cost", "held-out cost"].iter().all(|t| measured.iter().any(|m| m == t)), "{measured:?}");
    }

    #[test]
    fn an_empty_history_draws_axes_without_curves_or_legend() {
        let mut recorder = Recorder::default();
        draw_loss(&mut recorder, LossHistory { train: &[], test: &[], iterations: 0 }).unwrap();
        assert!(recorder.texts.iter().any(|t| t == "iteration"));
        assert!(!recorder.texts.iter().any(|t| t == "training cost"));
        assert!(paths_in(&recorder, TRAIN_COLOUR).is_empty());
    }

    #[test]
    fn a_diverged_cost_does_not_break_the_axis() {
        assert_eq!(y_top(LossHistory { train: &[f64::INFINITY, 0.5], test: &[], iterations: 2 }), 0.5 * 1.08);
    }

    #[test]
    fn thinning_keeps_an_oscillations_swing() {
        let values: Vec<f64> = (0..1000).map(|i| if i % 2 == 0 { 1.0 } else { 2.0 }).collect();
        let points = thinned(&values, 100);
        assert!(points.len() <= 101, "{}", points.len());
        assert!(points.iter().any(|p| p.1 == 1.0) && points.iter().filter(|p| p.1 == 2.0).count() >= 50);
    }

    #[test]
    fn long_histories_are_thinned_keeping_the_ends() {
        let values: Vec<f64> = (0..1001).map(f64::from).collect();
        let points = thinned(&values, 100);
        assert!(points.len() <= 101, "{}", points.len());
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(points[0], (0, 0.0));
        assert_eq!(*points.last().unwrap(), (1000, 1000.0));
        assert_eq!(thinned(&values[..3], 100), [(0, 0.0), (1, 1.0), (2, 2.0)]);
        assert!(thinned(&[], 100).is_empty());
    }
}
