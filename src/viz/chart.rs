//! The runs chart: every run's training cost (solid) and held-out cost (dashed) against the
//! iteration, each run in its own colour and named in a legend, on a linear or logarithmic cost
//! axis, drawn with plotters on any `DrawingBackend` (a canvas in the page, a recorder in tests).
//! [`Runs`] owns the runs' cost histories, so the page draws from them and keeps no copy.

use std::ops::Range;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{Error, Result};

/// More points than a chart is wide only cost time; longer histories are thinned to this many.
pub const MAX_POINTS: usize = 1200;

/// The runs' colours, in the order runs start (then again from the first): distinct on white
/// and for the common colour blindnesses as far as eight colours can be.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(37, 99, 235),
    RGBColor(234, 88, 12),
    RGBColor(22, 163, 74),
    RGBColor(147, 51, 234),
    RGBColor(202, 138, 4),
    RGBColor(8, 145, 178),
    RGBColor(219, 39, 119),
    RGBColor(71, 85, 105),
];
const GRID_COLOUR: RGBColor = RGBColor(226, 232, 240);
const FINE_GRID_COLOUR: RGBColor = RGBColor(243, 246, 249);

/// One run's costs as the chart draws them.
#[derive(Debug, Clone, PartialEq)]
pub struct RunCurve {
    /// Stable while the chart is not cleared.
    pub id: usize,
    /// Its name in the legend.
    pub label: String,
    pub colour: RGBColor,
    /// Training cost at each iteration from 0.
    pub train: Vec<f64>,
    /// Held-out cost at each iteration from 0 (empty when nothing is held out).
    pub test: Vec<f64>,
    /// Iterations the run was started with: while it runs the x axis spans them all.
    pub iterations: usize,
    pub running: bool,
    pub shown: bool,
}

impl RunCurve {
    /// Its colour as CSS, `#rrggbb`, for the page's list of runs.
    pub fn css_colour(&self) -> String {
        let RGBColor(r, g, b) = self.colour;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// The last iteration the x axis must reach for this run.
    fn x_end(&self) -> usize {
        let ran = self.train.len().max(self.test.len());
        if self.running {
            ran.max(self.iterations)
        } else {
            ran
        }
    }
}

/// Every run's cost curves since the chart was last cleared, and how the cost axis is scaled.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Runs {
    curves: Vec<RunCurve>,
    next_id: usize,
    /// A logarithmic cost axis (small late costs become readable) instead of a linear one.
    pub log_scale: bool,
}

impl Runs {
    /// An empty chart on a linear axis.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a run of `iterations` named `label` in the next colour (ending the one before);
    /// returns its id.
    pub fn start(&mut self, label: &str, iterations: usize) -> usize {
        self.end();
        let id = self.next_id;
        self.next_id += 1;
        let colour = PALETTE[id % PALETTE.len()];
        let (train, test) = (Vec::new(), Vec::new());
        self.curves.push(RunCurve {
            id,
            label: label.to_string(),
            colour,
            train,
            test,
            iterations,
            running: true,
            shown: true,
        });
        id
    }

    /// Appends costs to the latest run's curves.
    pub fn append(&mut self, train: &[f64], test: &[f64]) -> Result<()> {
        let run = self.curves.last_mut().ok_or(Error::NoRun)?;
        run.train.extend_from_slice(train);
        run.test.extend_from_slice(test);
        Ok(())
    }

    /// The latest run has ended (finished or stopped): the x axis then spans what it ran.
    pub fn end(&mut self) {
        if let Some(run) = self.curves.last_mut() {
            run.running = false;
        }
    }

    /// Shows or hides run `id`.
    pub fn set_shown(&mut self, id: usize, shown: bool) -> Result<()> {
        self.run_mut(id)?.shown = shown;
        Ok(())
    }

    /// Removes every run that has ended (a running run stays); once none is left, the next
    /// starts in the first colour again.
    pub fn clear(&mut self) {
        self.curves.retain(|r| r.running);
        if self.curves.is_empty() {
            self.next_id = 0;
        }
    }

    /// The runs, oldest first.
    pub fn curves(&self) -> &[RunCurve] {
        &self.curves
    }

    /// Run `id`.
    pub fn run(&self, id: usize) -> Result<&RunCurve> {
        self.curves.iter().find(|r| r.id == id).ok_or(Error::NoSuchRun(id))
    }

    fn run_mut(&mut self, id: usize) -> Result<&mut RunCurve> {
        self.curves.iter_mut().find(|r| r.id == id).ok_or(Error::NoSuchRun(id))
    }

    /// The latest run's last training and held-out costs.
    pub fn last_costs(&self) -> (Option<f64>, Option<f64>) {
        let run = self.curves.last();
        (run.and_then(|r| r.train.last().copied()), run.and_then(|r| r.test.last().copied()))
    }

    fn shown(&self) -> impl Iterator<Item = &RunCurve> + Clone {
        self.curves.iter().filter(|r| r.shown)
    }

    /// The finite costs the shown runs drew (positive ones only on a log axis).
    fn costs(&self) -> impl Iterator<Item = f64> + '_ {
        let log = self.log_scale;
        self.shown()
            .flat_map(|r| r.train.iter().chain(&r.test))
            .copied()
            .filter(move |c| c.is_finite() && (!log || *c > 0.0))
    }

    /// The linear axis: 0 to a little above the largest finite cost (1 before any cost).
    fn linear_range(&self) -> Range<f64> {
        let max = self.costs().fold(0.0, f64::max);
        0.0..if max > 0.0 { max * 1.08 } else { 1.0 }
    }

    /// The log axis: a little beyond the smallest and largest positive costs (0.01 to 1 before any).
    fn log_range(&self) -> Range<f64> {
        let (min, max) = self.costs().fold((f64::INFINITY, 0.0f64), |(lo, hi), c| (lo.min(c), hi.max(c)));
        if max > 0.0 {
            min / 1.25..max * 1.25
        } else {
            0.01..1.0
        }
    }
}

/// Draws the chart over the whole backend area.
pub fn draw_runs<DB: DrawingBackend>(backend: DB, runs: &Runs) -> Result<()> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(chart_error::<DB>)?;
    if runs.log_scale {
        plot(&root, runs, runs.log_range().log_scale())?;
    } else {
        plot(&root, runs, runs.linear_range())?;
    }
    root.present().map_err(chart_error::<DB>)
}

fn chart_error<DB: DrawingBackend>(e: DrawingAreaErrorKind<DB::ErrorType>) -> Error {
    Error::Chart(e.to_string())
}

/// The axes, the shown runs' curves and the legend, with the cost axis `y`.
fn plot<DB, Y>(root: &DrawingArea<DB, Shift>, runs: &Runs, y: Y) -> Result<()>
where
    DB: DrawingBackend,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let x_end = runs.shown().map(RunCurve::x_end).max().unwrap_or(0).max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0..x_end, y)
        .map_err(chart_error::<DB>)?;
    let y_desc = if runs.log_scale { "cost (log scale)" } else { "cost" };
    chart
        .configure_mesh()
        .light_line_style(FINE_GRID_COLOUR)
        .bold_line_style(GRID_COLOUR)
        .x_desc("iteration (solid: training cost, dashed: held-out cost)")
        .y_desc(y_desc)
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .draw()
        .map_err(chart_error::<DB>)?;
    let keep = |&(_, c): &(usize, f64)| c.is_finite() && (!runs.log_scale || c > 0.0);
    let mut drawn = Vec::new();
    for run in runs.shown() {
        let colour = run.colour;
        if !run.test.is_empty() {
            let points: Vec<_> = thinned(&run.test, MAX_POINTS).into_iter().filter(keep).collect();
            chart
                .draw_series(DashedLineSeries::new(points, 6, 4, colour.stroke_width(2)))
                .map_err(chart_error::<DB>)?;
        }
        let points: Vec<_> = thinned(&run.train, MAX_POINTS).into_iter().filter(keep).collect();
        chart.draw_series(LineSeries::new(points, colour.stroke_width(2))).map_err(chart_error::<DB>)?;
        drawn.push((colour, run.label.as_str()));
    }
    if !drawn.is_empty() {
        draw_legend(&chart.plotting_area().strip_coord_spec(), &drawn).map_err(chart_error::<DB>)?;
    }
    Ok(())
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

    fn falling(n: usize, scale: f64) -> Vec<f64> {
        (0..n).map(|i| scale / (1.0 + i as f64)).collect()
    }

    /// Two runs: 50 iterations with a held-out cost, then 30 without.
    fn two_runs() -> Runs {
        let mut runs = Runs::new();
        runs.start("raw · rate 0.005", 100);
        let train = falling(50, 0.69);
        runs.append(&train, &train.iter().map(|c| c + 0.1).collect::<Vec<_>>()).unwrap();
        runs.start("hog · rate 0.01", 30);
        runs.append(&falling(30, 0.5), &[]).unwrap();
        runs.end();
        runs
    }

    fn draw(runs: &Runs) -> Recorder {
        let mut recorder = Recorder::default();
        draw_runs(&mut recorder, runs).unwrap();
        recorder
    }

    fn has_text(recorder: &Recorder, text: &str) -> bool {
        recorder.texts.iter().any(|t| t == text)
    }

    #[test]
    fn every_run_keeps_its_curves_in_its_own_colour_with_a_legend() {
        let recorder = draw(&two_runs());
        for text in
            ["raw · rate 0.005", "hog · rate 0.01", "cost", "iteration (solid: training cost, dashed: held-out cost)"]
        {
            assert!(has_text(&recorder, text), "{text} missing from {:?}", recorder.texts);
        }
        // The first run: dashes of its held-out cost, its training curve, its legend sample.
        let first = paths_in(&recorder, PALETTE[0]);
        assert!(first.len() > 4 && first.ends_with(&[50, 2]), "{first:?}");
        // The second run has nothing held out: its curve and its legend sample only.
        assert_eq!(paths_in(&recorder, PALETTE[1]), [30, 2]);
        assert!(!recorder.coloured.is_empty());
        // The legend's names are measured by the backend (in the page, the canvas), not by plotters' fonts.
        let measured = recorder.measured.borrow();
        assert!(
            ["raw · rate 0.005", "hog · rate 0.01"].iter().all(|t| measured.iter().any(|m| m == t)),
            "{measured:?}"
        );
    }

    #[test]
    fn a_hidden_run_is_neither_drawn_nor_in_the_legend_and_comes_back() {
        let mut runs = two_runs();
        runs.set_shown(0, false).unwrap();
        let recorder = draw(&runs);
        assert!(paths_in(&recorder, PALETTE[0]).is_empty() && !has_text(&recorder, "raw · rate 0.005"));
        assert_eq!(paths_in(&recorder, PALETTE[1]), [30, 2]);
        runs.set_shown(0, true).unwrap();
        assert!(paths_in(&draw(&runs), PALETTE[0]).ends_with(&[50, 2]));
    }

    #[test]
    fn clearing_removes_every_run_and_starts_the_colours_again() {
        let mut runs = two_runs();
        runs.log_scale = true;
        runs.clear();
        assert!(runs.curves().is_empty() && runs.log_scale);
        assert_eq!(runs.last_costs(), (None, None));
        let id = runs.start("again", 10);
        assert_eq!(
            (id, runs.run(id).unwrap().colour, runs.run(id).unwrap().css_colour()),
            (0, PALETTE[0], "#2563eb".into())
        );
    }

    #[test]
    fn clearing_keeps_a_running_run() {
        let mut runs = two_runs();
        runs.start("running", 10);
        runs.clear();
        assert_eq!(runs.curves().iter().map(|r| r.id).collect::<Vec<_>>(), [2]);
        assert!(runs.append(&[0.4], &[]).is_ok());
        assert_eq!(runs.start("next", 10), 3);
    }

    #[test]
    fn rejects_costs_without_a_run_and_an_unknown_run() {
        let mut runs = Runs::new();
        assert!(matches!(runs.append(&[0.5], &[]), Err(Error::NoRun)));
        runs.start("one", 1);
        assert!(matches!(runs.set_shown(7, false), Err(Error::NoSuchRun(7))));
        assert!(matches!(runs.run(7), Err(Error::NoSuchRun(7))));
    }

    #[test]
    fn the_x_axis_spans_a_running_runs_iterations_then_what_it_ran() {
        let mut runs = Runs::new();
        runs.start("long", 1_000_000);
        runs.append(&falling(40, 0.7), &[]).unwrap();
        assert_eq!(runs.curves()[0].x_end(), 1_000_000);
        runs.end();
        assert_eq!(runs.curves()[0].x_end(), 40);
        assert_eq!(runs.last_costs(), (Some(0.7 / 40.0), None));
    }

    #[test]
    fn a_log_axis_spans_the_positive_costs_and_says_so() {
        let mut runs = two_runs();
        runs.log_scale = true;
        runs.append(&[0.0, f64::INFINITY], &[]).unwrap();
        let range = runs.log_range();
        let (min, max) = (0.69 / 50.0, 0.69 + 0.1);
        assert!((range.start - min / 1.25).abs() < 1e-12 && (range.end - max * 1.25).abs() < 1e-12, "{range:?}");
        let recorder = draw(&runs);
        assert!(has_text(&recorder, "cost (log scale)"));
        // The zero and the infinite cost are left out of the curve rather than drawn off the axis.
        assert_eq!(paths_in(&recorder, PALETTE[1]), [30, 2]);
        assert_eq!(Runs { log_scale: true, ..Runs::new() }.log_range(), 0.01..1.0);
    }

    #[test]
    fn an_empty_chart_draws_axes_without_curves_or_legend() {
        let recorder = draw(&Runs::new());
        assert!(has_text(&recorder, "cost"));
        assert!(PALETTE.iter().all(|&c| paths_in(&recorder, c).is_empty()));
    }

    #[test]
    fn a_diverged_cost_does_not_break_the_axis() {
        let mut runs = Runs::new();
        runs.start("diverged", 2);
        runs.append(&[f64::INFINITY, 0.5], &[f64::NAN]).unwrap();
        assert_eq!(runs.linear_range(), 0.0..0.5 * 1.08);
        assert_eq!(Runs::new().linear_range(), 0.0..1.0);
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
