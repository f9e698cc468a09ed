//! The entropy-coded part of a baseline scan: bits, Huffman codes and 8x8 blocks of coefficients.
//!
//! This is where jpeg-decoder spends most of its time, so it is the part written for speed: a
//! 64-bit bit buffer filled eight bytes at a time when no 0xFF is near, 12-bit lookahead tables,
//! and coefficients the reduced IDCT never reads skipped without being sign-extended or stored
//! (they are still decoded as symbols, to find the next one, several a lookup where the codes are
//! short). Every bit sequence decodes to what
//! jpeg-decoder 0.3.2 decodes from it; where jpeg-decoder's own behaviour gets murky (corrupt
//! streams) this returns `None` and the caller lets jpeg-decoder decide.

/// Bits looked up at once; longer codes (rare) take the slow path. The smallest width whose slow
/// path no longer shows in wasm profiles; wider measured no faster (docs/performance.md).
const LOOKAHEAD: u32 = 12;

/// Bits of the skip lookup, which passes over several coefficients nobody reads at once.
const SKIP_BITS: u32 = 12;

use std::cell::RefCell;
use std::rc::Rc;

/// Natural (row-major) position of each zigzag index.
pub const UNZIGZAG: [u8; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
    28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
    47, 55, 62, 63,
];

/// One Huffman table, built as jpeg-decoder builds it (JPEG spec, annex C and figure F.15).
pub struct Huffman {
    /// Indexed by the next LOOKAHEAD bits: `code length << 8 | symbol`, 0 when the code is
    /// longer. 16 bits an entry, not 32: the four tables then take 32 KiB, not 64, and stay in
    /// the L1 cache beside the skip lookup.
    lookup: Box<[u16; 1 << LOOKAHEAD]>,
    /// Largest code of each length 1..=16 (index = length), -1 when there is none.
    maxcode: [i32; 17],
    /// Index in `values` of a code of each length, minus that code.
    delta: [i32; 17],
    values: Vec<u8>,
    /// AC tables only: indexed by the next SKIP_BITS bits, the symbols whose codes they hold (the
    /// last one's value bits may run past them: at most 12 + 15 bits in all), as `bits << 8 |
    /// zigzag advance << 1 | ended with EOB`; 0 when not even the first code fits. Packing stops
    /// before a code that does not fit, an end-of-band run, or an advance past 63, so an entry only
    /// ever stands for symbols the one-at-a-time path accepts.
    skip: Option<Box<[u16; 1 << SKIP_BITS]>>,
}

impl Huffman {
    /// A table from a DHT's 16 code counts and its symbols; `None` when the counts over-fill a
    /// length (jpeg-decoder's "bad huffman code length").
    pub fn new(counts: &[u8; 16], values: &[u8], ac: bool) -> Option<Huffman> {
        let mut table = Huffman {
            lookup: Box::new([0; 1 << LOOKAHEAD]),
            maxcode: [-1; 17],
            delta: [0; 17],
            values: values.to_vec(),
            skip: None,
        };
        let mut code = 0u32;
        let mut index = 0usize;
        for length in 1..=16u32 {
            let count = usize::from(counts[length as usize - 1]);
            if count > 0 {
                table.delta[length as usize] = index as i32 - code as i32;
                for _ in 0..count {
                    if code >= 1 << length {
                        return None;
                    }
                    table.fill_lookup(code, length, *values.get(index)?);
                    code += 1;
                    index += 1;
                }
                table.maxcode[length as usize] = code as i32 - 1;
            }
            code <<= 1;
        }
        if ac {
            table.skip = Some(table.skip_table());
        }
        Some(table)
    }

    /// The skip lookup (see [`Huffman::skip`]), from the one-symbol lookup.
    fn skip_table(&self) -> Box<[u16; 1 << SKIP_BITS]> {
        let mut skip = Box::new([0u16; 1 << SKIP_BITS]);
        for (index, out) in skip.iter_mut().enumerate() {
            let (mut used, mut advance, mut eob) = (0u32, 0u32, 0u32);
            while used < SKIP_BITS {
                // The bits left, then zeros: a code no longer than what is left matches as it would.
                let rest = ((index as u32) << used) & ((1 << SKIP_BITS) - 1);
                let entry = u32::from(match SKIP_BITS >= LOOKAHEAD {
                    true => self.lookup[(rest >> (SKIP_BITS - LOOKAHEAD)) as usize],
                    false => self.lookup[(rest << (LOOKAHEAD - SKIP_BITS)) as usize],
                });
                // The code must lie in the window; its value bits may run past it (the last
                // symbol packed then), as the decoder has at least 32 bits when it looks up.
                let total = (entry >> 8) + (entry & 15);
                if entry == 0 || used + (entry >> 8) > SKIP_BITS {
                    break;
                }
                let (run, size) = ((entry >> 4) & 15, entry & 15);
                let step = match (run, size) {
                    (0, 0) => {
                        used += total;
                        eob = 1;
                        break;
                    }
                    (15, 0) => 16,
                    (_, 0) => break,
                    _ => run + 1,
                };
                if advance + step > 63 {
                    break;
                }
                used += total;
                advance += step;
            }
            *out = (used << 8 | advance << 1 | eob) as u16;
        }
        skip
    }

    /// [`Huffman::new`] through a small per-thread cache keyed by the DHT's class, counts and
    /// symbols: most photos carry one of a few tables (all 800 catsdogs training photos the same
    /// four), and a file then builds none.
    pub fn cached(counts: &[u8; 16], values: &[u8], ac: bool) -> Option<Rc<Huffman>> {
        /// Tables kept: a file's four and a second encoder's.
        const KEPT: usize = 8;
        thread_local! {
            static CACHE: RefCell<Vec<(Vec<u8>, Rc<Huffman>)>> = const { RefCell::new(Vec::new()) };
        }
        let matches = |key: &[u8]| {
            key.len() == 17 + values.len() && key[0] == u8::from(ac) && key[1..17] == counts[..] && key[17..] == *values
        };
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(i) = cache.iter().position(|(key, _)| matches(key)) {
                // Most recently used first.
                let hit = cache.remove(i);
                let table = Rc::clone(&hit.1);
                cache.insert(0, hit);
                return Some(table);
            }
            let table = Rc::new(Huffman::new(counts, values, ac)?);
            cache.truncate(KEPT - 1);
            cache.insert(0, ([&[u8::from(ac)], &counts[..], values].concat(), Rc::clone(&table)));
            Some(table)
        })
    }

    fn fill_lookup(&mut self, code: u32, length: u32, symbol: u8) {
        if length <= LOOKAHEAD {
            let spare = LOOKAHEAD - length;
            let start = (code << spare) as usize;
            let entry = (length << 8 | u32::from(symbol)) as u16;
            self.lookup[start..start + (1 << spare)].fill(entry);
        }
    }
}

/// Reads the entropy-coded bytes of a scan: 0xFF 0x00 is a data 0xFF; any other marker ends the
/// data, after which zero bits follow (jpeg-decoder's behaviour, which lets a JPEG cut short but
/// closed with EOI decode with the rest filled in).
pub struct Bits<'a> {
    data: &'a [u8],
    /// Next byte to read.
    pos: usize,
    /// Unread bits, first one in the top bit.
    buffer: u64,
    /// How many of `buffer`'s top bits are valid.
    count: u32,
    /// The marker that ended the data (its second byte), once reached.
    pub marker: Option<u8>,
    /// Zero bits added after the marker (still counted in `count` until consumed).
    zeros: u32,
    /// The data ran out with no marker, or held something jpeg-decoder rejects: give up.
    pub broken: bool,
}

impl<'a> Bits<'a> {
    /// Reads `data` from `pos`.
    pub fn new(data: &'a [u8], pos: usize) -> Bits<'a> {
        Bits { data, pos, buffer: 0, count: 0, marker: None, zeros: 0, broken: false }
    }

    /// Makes at least 57 bits valid, byte by byte (near 0xFF bytes and markers).
    #[inline(never)]
    fn refill_bytes(&mut self) {
        while self.count <= 56 {
            let byte = self.next_byte();
            self.buffer |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    /// The next data byte, handling stuffing and markers byte by byte (jpeg-decoder's `read_bits`).
    fn next_byte(&mut self) -> u8 {
        if self.marker.is_some() {
            self.zeros += 8;
            return 0;
        }
        let Some(&byte) = self.data.get(self.pos) else {
            self.broken = true;
            self.marker = Some(0xd9);
            self.zeros += 8;
            return 0;
        };
        self.pos += 1;
        if byte != 0xff {
            return byte;
        }
        let mut next = self.data.get(self.pos).copied();
        if next == Some(0) {
            self.pos += 1;
            return 0xff;
        }
        while next == Some(0xff) {
            self.pos += 1;
            next = self.data.get(self.pos).copied();
        }
        match next {
            Some(marker) if marker != 0 => {
                self.pos += 1;
                self.marker = Some(marker);
            }
            // Fill bytes then 0x00 (an error in jpeg-decoder) or the end of the data.
            _ => self.broken = true,
        }
        self.zeros += 8;
        0
    }

    /// Handles a restart marker RSTn: `Some` when it comes next, after no more than the padding
    /// bits of the last byte (so jpeg-decoder finds it too), and the bit buffer starts over.
    pub fn restart(&mut self, n: u8) -> Option<()> {
        let real_bits = self.count.saturating_sub(self.zeros);
        if real_bits >= 8 {
            return None;
        }
        if self.marker.is_none() {
            // The marker must be the very next bytes (with optional fill bytes).
            while self.data.get(self.pos) == Some(&0xff) && self.data.get(self.pos + 1) == Some(&0xff) {
                self.pos += 1;
            }
            if self.data.get(self.pos) != Some(&0xff) {
                return None;
            }
            self.marker = self.data.get(self.pos + 1).copied();
            self.pos += 2;
        }
        if self.marker != Some(0xd0 + n) {
            return None;
        }
        self.marker = None;
        self.buffer = 0;
        self.count = 0;
        self.zeros = 0;
        Some(())
    }

    /// True when blocks were decoded from the zero bits that follow the data: it ended too soon.
    /// (A complete stream never needs them: encoders pad its last byte with one bits.)
    pub fn ran_short(&self) -> bool {
        self.zeros > self.count
    }

    /// After the last block: the marker that follows the scan and the position after it.
    pub fn end(mut self) -> Option<(u8, usize)> {
        if self.broken {
            return None;
        }
        while self.marker.is_none() {
            let _ = self.next_byte();
            if self.broken {
                return None;
            }
        }
        Some((self.marker?, self.pos))
    }
}
/// The bit buffer in local variables while a block decodes: in `Bits` behind a reference the
/// compiler keeps it in memory, and every symbol then waits on a store and a load.
struct Window {
    buffer: u64,
    count: u32,
}

impl Window {
    /// Makes at least 32 bits valid when fewer are, reading from `bits` (which gets the buffer
    /// only when the byte-by-byte path runs).
    #[inline(always)]
    fn fill(&mut self, bits: &mut Bits) {
        if self.count >= 32 {
            return;
        }
        if bits.marker.is_none() {
            if let Some(chunk) = bits.data.get(bits.pos..bits.pos + 8) {
                let word = big_endian(chunk.try_into().unwrap_or_default());
                // Whole bytes up to the first 0xFF (stuffing or a marker: the byte-by-byte path).
                let bytes = ((63 - self.count) / 8).min(ff_bytes(word).leading_zeros() / 8);
                if bytes > 0 {
                    self.buffer |= (word & (u64::MAX << (64 - 8 * bytes))) >> self.count;
                    bits.pos += bytes as usize;
                    self.count += bytes * 8;
                    if self.count >= 32 {
                        return;
                    }
                }
            }
        }
        bits.buffer = self.buffer;
        bits.count = self.count;
        bits.refill_bytes();
        self.buffer = bits.buffer;
        self.count = bits.count;
    }

    #[inline(always)]
    fn consume(&mut self, n: u32) {
        self.buffer <<= n;
        self.count -= n;
    }

    /// `n` (0..=16) bits as a number.
    #[inline(always)]
    fn take(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let value = (self.buffer >> (64 - n)) as u32;
        self.consume(n);
        value
    }

    /// The next Huffman symbol's lookup entry (at least 16 bits must be valid), from the slow
    /// path for long codes; `None` for a code not in the table.
    #[inline(always)]
    fn entry(&self, table: &Huffman) -> Option<u32> {
        let entry = u32::from(table.lookup[(self.buffer >> (64 - LOOKAHEAD)) as usize]);
        if entry != 0 {
            return Some(entry);
        }
        slow_symbol(self.buffer, table)
    }

    /// The next Huffman symbol, its code consumed.
    #[inline(always)]
    fn symbol(&mut self, table: &Huffman) -> Option<u8> {
        let entry = self.entry(table)?;
        self.consume((entry >> 8) & 31);
        Some(entry as u8)
    }

    /// The next symbol with its value bits consumed too: for coefficients nobody reads.
    #[inline(always)]
    fn skip(&mut self, table: &Huffman) -> Option<u8> {
        let entry = self.entry(table)?;
        self.consume((entry >> 8) + (entry & 15));
        Some(entry as u8)
    }
}

/// Codes longer than the lookahead, found as jpeg-decoder's `decode` finds them, as a lookup entry.
#[cold]
#[inline(never)]
fn slow_symbol(buffer: u64, table: &Huffman) -> Option<u32> {
    let bits = (buffer >> 48) as i32;
    for length in LOOKAHEAD + 1..=16 {
        let code = bits >> (16 - length);
        if code <= table.maxcode[length as usize] {
            let symbol = *table.values.get((code + table.delta[length as usize]) as usize)?;
            return Some(length << 8 | u32::from(symbol));
        }
    }
    None
}

/// Eight bytes as a big-endian number. Wasm has no byte swap, and V8 compiles `from_be_bytes`'s
/// shifts and masks to some 30 instructions; a SIMD shuffle that reverses the bytes is a few.
#[inline(always)]
fn big_endian(bytes: [u8; 8]) -> u64 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{i8x16_shuffle, u64x2, u64x2_extract_lane};
        let v = u64x2(u64::from_le_bytes(bytes), 0);
        u64x2_extract_lane::<0>(i8x16_shuffle::<7, 6, 5, 4, 3, 2, 1, 0, 8, 9, 10, 11, 12, 13, 14, 15>(v, v))
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    u64::from_be_bytes(bytes)
}

/// The top bit of every 0xFF byte of `word`, and no other bit (no carries between bytes).
#[inline(always)]
fn ff_bytes(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = !word;
    let nonzero = ((x & LOW7) + LOW7) | x;
    !nonzero & !LOW7
}

/// F.2.2.1's EXTEND: `bits` (of which there are `n`) as a signed difference.
#[inline(always)]
fn extend(bits: u32, n: u32) -> i32 {
    if n == 0 {
        0
    } else if bits < 1 << (n - 1) {
        bits as i32 - (1 << n) + 1
    } else {
        bits as i32
    }
}

/// Decodes one block into `block` (natural order), keeping only zigzag indices `0..=last`; the
/// others are decoded as symbols and skipped. `block` must be zero at those indices on entry.
/// `None` for anything jpeg-decoder would reject or might treat differently (see module doc).
#[inline(always)]
pub fn decode_block(
    bits: &mut Bits,
    dc: &Huffman,
    ac: &Huffman,
    predictor: &mut i16,
    block: &mut [i16; 64],
    last: usize,
) -> Option<()> {
    let skip = ac.skip.as_deref()?;
    let mut w = Window { buffer: bits.buffer, count: bits.count };
    let result = decode_block_in(&mut w, bits, dc, ac, skip, predictor, block, last);
    bits.buffer = w.buffer;
    bits.count = w.count;
    result
}

// The skip lookup comes apart from `ac` so the tests can run the block loop without it.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn decode_block_in(
    w: &mut Window,
    bits: &mut Bits,
    dc: &Huffman,
    ac: &Huffman,
    skip: &[u16; 1 << SKIP_BITS],
    predictor: &mut i16,
    block: &mut [i16; 64],
    last: usize,
) -> Option<()> {
    // Each fill leaves at least 32 bits: a code (at most 16) and its value bits (at most 15).
    w.fill(bits);
    let size = u32::from(w.symbol(dc)?);
    if size > 11 {
        return None;
    }
    let diff = extend(w.take(size), size);
    // jpeg-decoder adds with wrapping (malicious files overflow it).
    *predictor = predictor.wrapping_add(diff as i16);
    block[0] = *predictor;
    let mut k = 1usize;
    // The coefficients the IDCT reads (none at 1/8 scale).
    while k <= last {
        w.fill(bits);
        let symbol = w.symbol(ac)?;
        let (run, size) = (usize::from(symbol >> 4), u32::from(symbol & 15));
        if size == 0 {
            match run {
                15 => k += 16,
                0 => return Some(()),
                // An end-of-band run: progressive only; jpeg-decoder would skip blocks.
                _ => return None,
            }
            continue;
        }
        k += run;
        if k > 63 {
            return None;
        }
        if k <= last {
            block[usize::from(UNZIGZAG[k])] = extend(w.take(size), size) as i16;
        } else {
            w.consume(size);
        }
        k += 1;
    }
    // The rest, decoded only to find where the next block starts: several symbols a lookup
    // while they stay clear of index 64, one at a time (with every check) otherwise.
    while k < 64 {
        w.fill(bits);
        let entry = u32::from(skip[(w.buffer >> (64 - SKIP_BITS)) as usize]);
        let advance = (entry >> 1) as usize & 63;
        if entry != 0 && k + advance < 64 {
            w.consume(entry >> 8);
            if entry & 1 != 0 {
                return Some(());
            }
            k += advance;
            continue;
        }
        let symbol = w.skip(ac)?;
        let (run, size) = (usize::from(symbol >> 4), symbol & 15);
        if size == 0 {
            match run {
                15 => k += 16,
                0 => return Some(()),
                _ => return None,
            }
            continue;
        }
        k += run + 1;
        if k > 64 {
            return None;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ff_bytes_are_spotted_exactly() {
        assert_eq!(ff_bytes(0x00fe_7f80_0102_fefe), 0);
        assert_eq!(ff_bytes(0xff00_ff00_00ff_ffff), 0x8000_8000_0080_8080);
        for i in 0..8 {
            assert_eq!(ff_bytes(0xff << (8 * i)), 0x80 << (8 * i), "byte {i}");
            assert_eq!(ff_bytes((0xff << (8 * i)) | 0x0101_0101_0101_0101), 0x80 << (8 * i));
        }
    }

    #[test]
    fn stuffed_bytes_and_markers_read_as_jpeg_decoder_reads_them() {
        let data = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd9, 0x56];
        let mut bits = Bits::new(&data, 0);
        let mut w = Window { buffer: 0, count: 0 };
        w.fill(&mut bits);
        assert_eq!(w.take(8), 0x12);
        assert_eq!(w.take(8), 0xff);
        assert_eq!(w.take(8), 0x34);
        assert_eq!(w.take(16), 0, "zeros after the marker");
        assert_eq!(bits.end(), Some((0xd9, 6)));
    }

    #[test]
    fn data_without_a_marker_is_broken() {
        let mut bits = Bits::new(&[1, 2, 3], 0);
        bits.refill_bytes();
        assert!(bits.broken);
        assert_eq!(bits.end(), None);
    }

    /// Annex K's luminance tables (table K.3 for DC, K.5 for AC), which most photos use.
    const DC_COUNTS: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const AC_COUNTS: [u8; 16] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
    const AC_VALUES: [u8; 162] = [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71,
        0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72,
        0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37,
        0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
        0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83,
        0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3,
        0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
        0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
        0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ];

    /// The canonical code of each symbol (JPEG spec, annex C): (code, length) by symbol.
    fn codes(counts: &[u8; 16], values: &[u8]) -> Vec<(u8, u32, u32)> {
        let (mut code, mut index, mut out) = (0u32, 0, Vec::new());
        for length in 1..=16 {
            for _ in 0..counts[length as usize - 1] {
                out.push((values[index], code, length));
                code += 1;
                index += 1;
            }
            code <<= 1;
        }
        out
    }

    /// Every block of `data` decoded with the skip lookup and with the one-symbol path alone (an
    /// all-zero skip lookup): the same blocks, predictors, results and bit positions.
    /// Returns how many blocks (of `count`) decoded.
    fn same_with_and_without_skipping(data: &[u8], dc: &Huffman, ac: &Huffman, last: usize, count: usize) -> usize {
        let skip = ac.skip.as_deref().expect("an AC table");
        let none = Box::new([0u16; 1 << SKIP_BITS]);
        let (mut fast, mut slow) = (Bits::new(data, 0), Bits::new(data, 0));
        let (mut fast_predictor, mut slow_predictor) = (0i16, 0i16);
        for blocks in 0..count {
            let (mut fast_block, mut slow_block) = ([0i16; 64], [0i16; 64]);
            let run = |bits: &mut Bits, skip: &[u16; 1 << SKIP_BITS], predictor: &mut i16, block: &mut [i16; 64]| {
                let mut w = Window { buffer: bits.buffer, count: bits.count };
                let result = decode_block_in(&mut w, bits, dc, ac, skip, predictor, block, last);
                bits.buffer = w.buffer;
                bits.count = w.count;
                result
            };
            let a = run(&mut fast, skip, &mut fast_predictor, &mut fast_block);
            let b = run(&mut slow, &none, &mut slow_predictor, &mut slow_block);
            assert_eq!(a, b, "block {blocks}: result");
            assert_eq!((fast_block, fast_predictor), (slow_block, slow_predictor), "block {blocks}");
            // The same next bits (one may have read further ahead).
            let valid = fast.count.min(slow.count);
            let top = |buffer: u64| if valid == 0 { 0 } else { buffer >> (64 - valid) };
            assert_eq!(top(fast.buffer), top(slow.buffer), "block {blocks}: next bits");
            if a.is_none() {
                return blocks;
            }
            if blocks + 1 == count {
                assert_eq!(fast.end(), slow.end(), "the end");
                return count;
            }
        }
        unreachable!()
    }

    #[test]
    fn skipping_several_symbols_a_lookup_decodes_as_one_at_a_time() {
        let dc_values: Vec<u8> = (0..12).collect();
        let dc = Huffman::new(&DC_COUNTS, &dc_values, false).expect("table K.3");
        let ac = Huffman::new(&AC_COUNTS, &AC_VALUES, true).expect("table K.5");
        // A table with short codes for a ZRL, an end-of-band run and a big run (all 2-4 bits).
        let odd_counts = [0, 3, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let odd_values = [0xf0, 0x00, 0x31, 0x20, 0xe1];
        let odd = Huffman::new(&odd_counts, &odd_values, true).expect("a small table");
        let mut s = 12345u64;
        let mut next = |n: u64| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (s >> 33) % n
        };
        let (mut blocks, mut ended) = (0, 0);
        for round in 0..3000 {
            let table = if round % 3 == 2 { &odd } else { &ac };
            let (counts, values) =
                if round % 3 == 2 { (&odd_counts, &odd_values[..]) } else { (&AC_COUNTS, &AC_VALUES[..]) };
            let ac_codes = codes(counts, values);
            let dc_codes = codes(&DC_COUNTS, &dc_values);
            // Symbols as an encoder writes them (runs and sizes mostly small), with random value
            // bits, and now and then a random bit or byte.
            let mut out: Vec<u8> = Vec::new();
            let (mut acc, mut n) = (0u64, 0u32);
            let mut put = |out: &mut Vec<u8>, value: u32, length: u32| {
                acc = acc << length | u64::from(value & ((1 << length) - 1));
                n += length;
                while n >= 8 {
                    let byte = (acc >> (n - 8)) as u8;
                    out.push(byte);
                    if byte == 0xff {
                        out.push(0);
                    }
                    n -= 8;
                }
            };
            for _ in 0..40 {
                let (_, code, length) = dc_codes[next(4) as usize];
                put(&mut out, code, length);
                put(
                    &mut out,
                    next(1 << 11) as u32,
                    dc_codes.iter().find(|c| c.1 == code && c.2 == length).map_or(0, |c| u32::from(c.0)),
                );
                let mut k = 1;
                for _ in 0..next(30) {
                    let (symbol, code, length) = match next(4) {
                        0 => ac_codes[next(ac_codes.len() as u64) as usize],
                        _ => ac_codes[next(ac_codes.len().min(12) as u64) as usize],
                    };
                    // Mostly blocks that fit in 64 coefficients.
                    let step = if symbol == 0xf0 { 16 } else { usize::from(symbol >> 4) + 1 };
                    if (k + step > 64 || (symbol & 15 == 0 && symbol != 0xf0)) && next(50) > 0 {
                        continue;
                    }
                    k += step;
                    put(&mut out, code, length);
                    put(&mut out, next(1 << 15) as u32, u32::from(symbol & 15));
                    if next(200) == 0 {
                        put(&mut out, next(2) as u32, 1);
                    }
                }
                if k < 64 && next(20) > 0 {
                    let eob = ac_codes.iter().find(|c| c.0 == 0).expect("an EOB code");
                    put(&mut out, eob.1, eob.2);
                }
            }
            put(&mut out, 0x7f, 7);
            out.extend_from_slice(&[0xff, 0xd9]);
            if round % 10 == 9 {
                let at = next(out.len() as u64) as usize;
                out[at] = next(256) as u8;
            }
            for last in [0, 4, 24] {
                let done = same_with_and_without_skipping(&out, &dc, table, last, 40);
                blocks += done;
                ended += usize::from(done == 40);
            }
        }
        assert!(blocks > 50_000 && ended > 100, "{blocks} blocks, {ended} streams decoded to the end");
    }

    #[test]
    fn over_full_code_counts_are_rejected() {
        let mut counts = [0u8; 16];
        counts[0] = 3; // three 1-bit codes
        assert!(Huffman::new(&counts, &[1, 2, 3], true).is_none());
        counts[0] = 2;
        assert!(Huffman::new(&counts, &[1], true).is_none(), "fewer symbols than codes");
    }
}
