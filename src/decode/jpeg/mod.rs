//! Baseline JPEGs decoded at reduced DCT scale (1/2, 1/4, 1/8), fast, with exactly the pixels
//! jpeg-decoder 0.3.2 gives.
//!
//! The page decodes every photo a user adds, and jpeg-decoder spends most of that time decoding
//! coefficients a reduced-size IDCT never reads. This decoder handles the common case (sequential
//! Huffman, 8-bit, one or three components, one interleaved scan, any sampling factors
//! jpeg-decoder supports, restart intervals) and skips those coefficients; for everything else
//! (progressive, arithmetic, CMYK, several scans, full size, odd or corrupt streams) it returns
//! `None` and the caller runs jpeg-decoder as before. So it never has to be right where
//! jpeg-decoder's behaviour is subtle: it only has to say `None` there.
//!
//! The pixel arithmetic is ported from jpeg-decoder 0.3.2 (MIT OR Apache-2.0): the reduced IDCTs
//! (`idct.rs`), the upsamplers (`upsampler.rs`) and the YCbCr conversion (`decoder.rs`).

mod entropy;
mod pixels;

use std::rc::Rc;

use entropy::{Bits, Huffman, UNZIGZAG};

/// A decoded JPEG: 1 (grey) or 3 (RGB) bytes a pixel, row-major, and its EXIF block if any.
pub struct Decoded<'a> {
    pub width: u32,
    pub height: u32,
    /// 1 for greyscale, 3 for RGB.
    pub channels: usize,
    pub pixels: Vec<u8>,
    /// The last APP1 "Exif" segment's data after its 6-byte header, as jpeg-decoder's `exif_data`.
    pub exif: Option<&'a [u8]>,
}

/// Why [`decode`] gave no pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a file this decoder takes (see the module doc): jpeg-decoder decides.
    Declined,
    /// The frame header declares more pixels than allowed; nothing was allocated for them.
    TooLarge { width: u16, height: u16 },
    /// The entropy-coded data ends (at a marker or at the end of the file) before the last block.
    Truncated,
    /// A restart interval's data ends before its last block: a hole in the middle of the image.
    Damaged,
}

/// Decodes `bytes` at the scale jpeg-decoder's `scale(requested(width, height))` would pick.
///
/// The frame header's width x height is checked against `max_pixels` before anything is allocated
/// for the image. Where jpeg-decoder would fill data that runs out with zero bits (grey), this
/// refuses the file instead: also at full size, which it otherwise declines, so that a short scan
/// is refused whatever the photo's size.
pub fn decode(
    bytes: &[u8],
    requested: impl FnOnce(u16, u16) -> (u16, u16),
    max_pixels: u64,
) -> Result<Decoded<'_>, Refused> {
    use Refused::Declined;
    let mut reader = Reader { data: bytes, pos: 0 };
    if reader.take(2).ok_or(Declined)? != [0xff, 0xd8] {
        return Err(Declined);
    }
    let mut headers = Headers::default();
    let mut requested = Some(requested);
    // Samples per block side; `None` for full size, where the scan is only checked for length.
    let mut scale = None;
    let mut planes = None;
    let mut pending = None;
    loop {
        let marker = match pending.take() {
            Some(marker) => marker,
            None => reader.marker().ok_or(Declined)?,
        };
        match marker {
            0xc0 | 0xc1 if headers.frame.is_none() => {
                let frame = Frame::parse(reader.segment().ok_or(Declined)?, marker == 0xc0).ok_or(Declined)?;
                if u64::from(frame.width) * u64::from(frame.height) > max_pixels {
                    return Err(Refused::TooLarge { width: frame.width, height: frame.height });
                }
                let requested = requested.take().ok_or(Declined)?;
                scale = idct_size(frame.width, frame.height, requested(frame.width, frame.height));
                headers.frame = Some(frame);
            }
            0xc4 => headers.parse_dht(reader.segment().ok_or(Declined)?).ok_or(Declined)?,
            0xdb => headers.parse_dqt(reader.segment().ok_or(Declined)?).ok_or(Declined)?,
            0xdd => headers.parse_dri(reader.segment().ok_or(Declined)?).ok_or(Declined)?,
            0xe0..=0xef => headers.parse_app(marker, reader.segment().ok_or(Declined)?).ok_or(Declined)?,
            0xfe => {
                reader.segment().ok_or(Declined)?;
            }
            0xda if planes.is_none() => {
                let tables = headers.parse_sos(reader.segment().ok_or(Declined)?).ok_or(Declined)?;
                let (decoded, marker, pos) = decode_scan(&headers, &tables, bytes, reader.pos, scale.unwrap_or(1))?;
                if scale.is_none() {
                    // Long enough; jpeg-decoder decodes it at full size.
                    return Err(Declined);
                }
                planes = Some(decoded);
                pending = Some(marker);
                reader.pos = pos;
            }
            0xd9 => break,
            // A second frame or scan, other coding processes, RSTn outside a scan, DNL, ...
            _ => return Err(Declined),
        }
    }
    let frame = headers.frame.as_ref().ok_or(Declined)?;
    let transform = headers.color_transform().ok_or(Declined)?;
    let (width, height, channels, pixels) =
        pixels::assemble(frame, planes.ok_or(Declined)?, scale.ok_or(Declined)?, transform).ok_or(Declined)?;
    Ok(Decoded { width, height, channels, pixels, exif: headers.exif })
}

/// jpeg-decoder's `choose_idct_size`: samples per block side (1, 2 or 4) of the smallest scale
/// that reaches the requested size on either side; `None` for full size (8).
fn idct_size(width: u16, height: u16, (want_width, want_height): (u16, u16)) -> Option<usize> {
    let scaled = |len: u16, scale: u32| ((u32::from(len) * scale - 1) / 8 + 1) as u16;
    [1, 2, 4]
        .into_iter()
        .find(|&scale| scaled(width, scale) >= want_width || scaled(height, scale) >= want_height)
        .map(|scale| scale as usize)
}

/// Marker segments, read from a byte slice.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let bytes = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(bytes)
    }

    /// The next marker's second byte; fill bytes (0xFF) before it are allowed, other bytes not
    /// (jpeg-decoder skips them; such files go to it).
    fn marker(&mut self) -> Option<u8> {
        if self.take(1)? != [0xff] {
            return None;
        }
        let mut byte = self.take(1)?[0];
        while byte == 0xff {
            byte = self.take(1)?[0];
        }
        (byte != 0).then_some(byte)
    }

    /// A segment's contents after its 2-byte length.
    fn segment(&mut self) -> Option<&'a [u8]> {
        let length = usize::from(u16::from_be_bytes(self.take(2)?.try_into().ok()?));
        self.take(length.checked_sub(2)?)
    }
}

/// One component of the frame.
struct Component {
    id: u8,
    /// Horizontal and vertical sampling factors, 1..=4.
    h: usize,
    v: usize,
    quant: usize,
}

/// The frame header (SOF0 or SOF1) and the sizes derived from it.
struct Frame {
    baseline: bool,
    width: u16,
    height: u16,
    components: Vec<Component>,
    h_max: usize,
    v_max: usize,
    /// MCUs across and down.
    mcus_x: usize,
    mcus_y: usize,
}

impl Frame {
    /// Parses and validates as jpeg-decoder's `parse_sof`, keeping only 8-bit, 1 or 3 components.
    fn parse(segment: &[u8], baseline: bool) -> Option<Frame> {
        let (&[precision, h1, h0, w1, w0, count], rest) = segment.split_first_chunk::<6>()?;
        let (width, height) = (u16::from_be_bytes([w1, w0]), u16::from_be_bytes([h1, h0]));
        if precision != 8
            || width == 0
            || height == 0
            || !(count == 1 || count == 3)
            || rest.len() != 3 * usize::from(count)
        {
            return None;
        }
        let mut components: Vec<Component> = Vec::with_capacity(3);
        for c in rest.chunks_exact(3) {
            let (h, v) = (usize::from(c[1] >> 4), usize::from(c[1] & 15));
            if components.iter().any(|o| o.id == c[0]) || !(1..=4).contains(&h) || !(1..=4).contains(&v) || c[2] > 3 {
                return None;
            }
            components.push(Component { id: c[0], h, v, quant: usize::from(c[2]) });
        }
        let h_max = components.iter().map(|c| c.h).max()?;
        let v_max = components.iter().map(|c| c.v).max()?;
        let frame = Frame {
            baseline,
            width,
            height,
            mcus_x: usize::from(width).div_ceil(8 * h_max),
            mcus_y: usize::from(height).div_ceil(8 * v_max),
            components,
            h_max,
            v_max,
        };
        // jpeg-decoder rejects non-integer sampling ratios here, at full size; this decoder also
        // declines the rare integer ones it does not port.
        for c in &frame.components {
            pixels::Upsample::choose(c, &frame, usize::from(width), usize::from(height))?;
        }
        Some(frame)
    }
}

/// Tables and flags gathered from the marker segments.
#[derive(Default)]
struct Headers<'a> {
    frame: Option<Frame>,
    /// Quantisation tables in natural (not zigzag) order.
    quant: [Option<[u16; 64]>; 4],
    dc: [Option<Rc<Huffman>>; 4],
    ac: [Option<Rc<Huffman>>; 4],
    restart_interval: u16,
    jfif: bool,
    adobe_transform: Option<u8>,
    exif: Option<&'a [u8]>,
}

/// A scan's DC and AC table for each frame component, in frame order.
type ScanTables = Vec<(usize, usize)>;

impl<'a> Headers<'a> {
    /// DQT, as jpeg-decoder's `parse_dqt` (16-bit tables allowed, zeros not).
    fn parse_dqt(&mut self, mut segment: &[u8]) -> Option<()> {
        while let Some((&byte, rest)) = segment.split_first() {
            let (precision, index) = (usize::from(byte >> 4), usize::from(byte & 15));
            if precision > 1 || index > 3 {
                return None;
            }
            let values = rest.get(..64 << precision)?;
            let mut table = [0u16; 64];
            for (zigzag, &natural) in UNZIGZAG.iter().enumerate() {
                let q = match precision {
                    0 => u16::from(values[zigzag]),
                    _ => u16::from_be_bytes([values[2 * zigzag], values[2 * zigzag + 1]]),
                };
                if q == 0 {
                    return None;
                }
                table[usize::from(natural)] = q;
            }
            self.quant[index] = Some(table);
            segment = &rest[64 << precision..];
        }
        Some(())
    }

    /// DHT, as jpeg-decoder's `parse_dht`.
    fn parse_dht(&mut self, mut segment: &[u8]) -> Option<()> {
        while segment.len() > 16 {
            let (class, index) = (segment[0] >> 4, usize::from(segment[0] & 15));
            let baseline = self.frame.as_ref().is_some_and(|f| f.baseline);
            if class > 1 || index > 3 || (baseline && index > 1) {
                return None;
            }
            let counts: &[u8; 16] = segment[1..17].try_into().ok()?;
            let size: usize = counts.iter().map(|&c| usize::from(c)).sum();
            if size == 0 || size > 256 {
                return None;
            }
            let table = Some(Huffman::cached(counts, segment.get(17..17 + size)?, class == 1)?);
            match class {
                0 => self.dc[index] = table,
                _ => self.ac[index] = table,
            }
            segment = &segment[17 + size..];
        }
        segment.is_empty().then_some(())
    }

    /// DRI: the number of MCUs between restart markers (0: none).
    fn parse_dri(&mut self, segment: &[u8]) -> Option<()> {
        self.restart_interval = u16::from_be_bytes(segment.try_into().ok()?);
        Some(())
    }

    /// APPn: what jpeg-decoder's `parse_app` records that changes the pixels or their orientation.
    fn parse_app(&mut self, marker: u8, segment: &'a [u8]) -> Option<()> {
        match marker {
            0xe0 if segment.starts_with(b"JFIF\0") => self.jfif = true,
            0xe1 if segment.starts_with(b"Exif\0\0") => self.exif = Some(&segment[6..]),
            0xee if segment.len() >= 12 && segment.starts_with(b"Adobe\0") => {
                // jpeg-decoder fails on any other value.
                if segment[11] > 2 {
                    return None;
                }
                self.adobe_transform = Some(segment[11]);
            }
            _ => {}
        }
        Some(())
    }

    /// SOS, as jpeg-decoder's `parse_sos` for a sequential frame; `None` unless the scan holds every
    /// component (in frame order) and every table it uses is defined.
    fn parse_sos(&self, segment: &[u8]) -> Option<ScanTables> {
        let frame = self.frame.as_ref()?;
        let (&count, rest) = segment.split_first()?;
        let count = usize::from(count);
        if count != frame.components.len() || rest.len() != 2 * count + 3 {
            return None;
        }
        let mut tables = Vec::with_capacity(count);
        for (component, pair) in frame.components.iter().zip(rest.chunks_exact(2)) {
            let (dc, ac) = (usize::from(pair[1] >> 4), usize::from(pair[1] & 15));
            let limit = if frame.baseline { 1 } else { 3 };
            if pair[0] != component.id || dc > limit || ac > limit {
                return None;
            }
            self.quant[component.quant].as_ref()?;
            self.dc[dc].as_ref()?;
            self.ac[ac].as_ref()?;
            tables.push((dc, ac));
        }
        let blocks: usize = frame.components.iter().map(|c| c.h * c.v).sum();
        let (start, end, approximation) = (rest[2 * count], rest[2 * count + 1], rest[2 * count + 2]);
        let end_ok = end == 63 || end == 0;
        if (count > 1 && blocks > 10) || start != 0 || !end_ok || approximation != 0 {
            return None;
        }
        Some(tables)
    }

    /// jpeg-decoder's `determine_color_transform`, for the two this decoder supports (grey, YCbCr).
    fn color_transform(&self) -> Option<pixels::Transform> {
        let frame = self.frame.as_ref()?;
        if frame.components.len() == 1 {
            return Some(pixels::Transform::Grey);
        }
        let [a, b, c] = &frame.components[..] else { return None };
        match [a.id, b.id, c.id] {
            [1, 2, 3] => return Some(pixels::Transform::YCbCr),
            // RGB and the big-gamut variants: rare, left to jpeg-decoder.
            [82, 71, 66] | [1, 34, 35] | [114, 103, 98] => return None,
            _ if self.jfif => return Some(pixels::Transform::YCbCr),
            _ => {}
        }
        match self.adobe_transform {
            Some(0 | 2) => None,
            _ => Some(pixels::Transform::YCbCr),
        }
    }
}

/// A decoded scan: one plane per component, the marker after the scan and the position after it.
type Scanned = (Vec<pixels::Plane>, u8, usize);

/// Decodes the scan that starts at `pos` into one plane of samples per component, each block
/// `scale` x `scale` samples; returns them with the marker after the scan and the position after it,
/// or [`Refused::Truncated`] / [`Refused::Damaged`] when blocks would be decoded from the zero bits
/// after the data (before the end / before a restart marker). (One loop for all scales, not one per scale: the page's wasm stays smaller, for no measurable cost.)
fn decode_scan(
    headers: &Headers,
    tables: &ScanTables,
    data: &[u8],
    pos: usize,
    scale: usize,
) -> Result<Scanned, Refused> {
    decode_scan_checked(headers, tables, data, pos, scale).unwrap_or(Err(Refused::Declined))
}

/// [`decode_scan`], `None` where it declines.
fn decode_scan_checked(
    headers: &Headers,
    tables: &ScanTables,
    data: &[u8],
    pos: usize,
    scale: usize,
) -> Option<Result<Scanned, Refused>> {
    let frame = headers.frame.as_ref()?;
    // Last zigzag index the IDCT reads: (0,0) alone; the 2x2 corner; the 4x4 corner.
    let last = match scale {
        1 => 0,
        2 => 4,
        4 => 24,
        _ => return None,
    };
    let mut planes: Vec<pixels::Plane> =
        frame.components.iter().map(|c| pixels::Plane::new(frame, c, scale)).collect::<Option<_>>()?;
    let mut units = Vec::with_capacity(frame.components.len());
    for ((component, &(dc, ac)), plane) in frame.components.iter().zip(tables).zip(&mut planes) {
        let quant = headers.quant[component.quant].as_ref()?;
        units.push(Unit { dc: headers.dc[dc].as_ref()?, ac: headers.ac[ac].as_ref()?, quant, plane, predictor: 0 });
    }
    let mut bits = Bits::new(data, pos);
    let mut block = [0i16; 64];
    let restart = headers.restart_interval;
    let (mut left_until_restart, mut next_restart) = (restart, 0u8);
    let mut decode_one = |units: &mut [Unit], i: usize, bx: usize, by: usize, bits: &mut Bits| -> Option<()> {
        let unit = &mut units[i];
        entropy::decode_block(bits, unit.dc, unit.ac, &mut unit.predictor, &mut block, last)?;
        let offset = by * scale * unit.plane.stride + bx * scale;
        pixels::idct(scale, &block, unit.quant, unit.plane.samples.get_mut(offset..)?, unit.plane.stride)?;
        for &natural in &UNZIGZAG[..=last] {
            block[usize::from(natural)] = 0;
        }
        Some(())
    };
    // A single-component scan is not interleaved: its MCU is one block, over the image's blocks.
    let single = frame.components.len() == 1;
    let (mcus_x, mcus_y) = match single {
        true => (usize::from(frame.width).div_ceil(8), usize::from(frame.height).div_ceil(8)),
        false => (frame.mcus_x, frame.mcus_y),
    };
    for mcu_y in 0..mcus_y {
        for mcu_x in 0..mcus_x {
            if restart > 0 {
                if left_until_restart == 0 {
                    if bits.ran_short() {
                        return Some(Err(Refused::Damaged));
                    }
                    bits.restart(next_restart)?;
                    units.iter_mut().for_each(|u| u.predictor = 0);
                    next_restart = (next_restart + 1) % 8;
                    left_until_restart = restart;
                }
                left_until_restart -= 1;
            }
            if single {
                decode_one(&mut units, 0, mcu_x, mcu_y, &mut bits)?;
                continue;
            }
            for (i, component) in frame.components.iter().enumerate() {
                for v in 0..component.v {
                    for h in 0..component.h {
                        decode_one(&mut units, i, mcu_x * component.h + h, mcu_y * component.v + v, &mut bits)?;
                    }
                }
            }
        }
    }
    if bits.ran_short() {
        return Some(Err(Refused::Truncated));
    }
    let (marker, pos) = bits.end()?;
    Some(Ok((planes, marker, pos)))
}

/// What the block loop needs of one component.
struct Unit<'t, 'p> {
    dc: &'t Huffman,
    ac: &'t Huffman,
    quant: &'t [u16; 64],
    plane: &'p mut pixels::Plane,
    predictor: i16,
}
