//! The learned features' stories: whitening, k-means, the triangle, pooling, files, bad sizes.

use super::*;

fn small() -> LearnedParams {
    LearnedParams { side: 16, patch: 4, stride: 2, centroids: 8, grid: 2, epsilon: 0.1, patches: 400, iterations: 5 }
}

/// Seeded photos with some structure: a gradient, stripes and noise that vary per photo.
fn photos(count: u32) -> Vec<Vec<u8>> {
    (0..count)
        .map(|s| {
            let mut rng = Mt19937::new(s);
            (0..PHOTO_BYTES)
                .map(|i| {
                    let (x, y, c) = ((i / 3) % 64, i / 192, i % 3);
                    let stripe = if (x / (2 + s as usize % 5) + y / 7).is_multiple_of(2) { 90 } else { 0 };
                    ((x * (c + 1) + y) % 120 + stripe + rng.below(40)) as u8
                })
                .collect()
        })
        .collect()
}

fn learn(params: &LearnedParams) -> Dictionary {
    let photos = photos(6);
    Dictionary::learn(photos.iter().map(|p| p.as_slice()), params, 7).unwrap()
}

#[test]
fn whitening_makes_a_samples_covariance_close_to_the_identity() {
    // Correlated 4-dimensional points: x = A·g for standard-ish g.
    let (n, d) = (4000, 4);
    let mut rng = Mt19937::new(3);
    let a = [[2.0, 0.0, 0.0, 0.0], [1.5, 0.5, 0.0, 0.0], [0.3, -1.0, 3.0, 0.0], [0.0, 0.2, 0.4, 0.1]];
    let mut rows = vec![0.0f32; n * padded(d)];
    for row in rows.chunks_exact_mut(padded(d)) {
        let g: Vec<f64> = (0..d).map(|_| (0..12).map(|_| rng.next_f64()).sum::<f64>() - 6.0).collect();
        for i in 0..d {
            row[i] = (0..d).map(|j| a[i][j] * g[j]).sum::<f64>() as f32 + 5.0;
        }
    }
    let mean = column_means(&rows, n, padded(d));
    // A tiny ε: whitening is then nearly exact, the covariance of W(x − m) nearly I.
    let w = zca(&rows, &mean, n, d, 1e-9);
    let white: Vec<f64> = rows
        .chunks_exact(padded(d))
        .flat_map(|r| {
            (0..d).map(|i| (0..d).map(|j| w[i * d + j] * (f64::from(r[j]) - mean[j])).sum::<f64>()).collect::<Vec<_>>()
        })
        .collect();
    for i in 0..d {
        for j in 0..d {
            let c: f64 = white.chunks_exact(d).map(|r| r[i] * r[j]).sum::<f64>() / (n - 1) as f64;
            let expected = if i == j { 1.0 } else { 0.0 };
            assert!((c - expected).abs() < 1e-4, "covariance[{i}][{j}] = {c}");
        }
    }
    // ZCA's matrix is symmetric (a rotation back after scaling along the eigenvectors).
    for i in 0..d {
        for j in 0..d {
            assert!((w[i * d + j] - w[j * d + i]).abs() < 1e-9);
        }
    }
}

#[test]
fn jacobi_finds_the_eigenvalues_of_a_hand_made_matrix() {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, ∓1)/√2.
    let (mut values, vectors) = symmetric_eigen(&mut [2.0, 1.0, 1.0, 2.0], 2);
    let v0 = [vectors[0], vectors[2]];
    assert!((v0[0].abs() - 0.5f64.sqrt()).abs() < 1e-12 && (v0[0].abs() - v0[1].abs()).abs() < 1e-12);
    values.sort_by(f64::total_cmp);
    assert!((values[0] - 1.0).abs() < 1e-12 && (values[1] - 3.0).abs() < 1e-12, "{values:?}");
}

#[test]
fn kmeans_on_hand_made_clusters_finds_them() {
    let centres = [[10.0f32, 0.0], [0.0, 10.0], [-10.0, -10.0]];
    let mut rng = Mt19937::new(1);
    let mut points = Vec::new();
    for i in 0..300 {
        let c = centres[i % 3];
        points.extend([c[0] + rng.next_f64() as f32 - 0.5, c[1] + rng.next_f64() as f32 - 0.5]);
        points.extend([0.0; 6]);
    }
    let found = kmeans(&points, 8, (3, 10), &mut Mt19937::new(5), Threads::ONE);
    for c in centres {
        let hit = found.chunks_exact(8).any(|f| (f[0] - c[0]).abs() < 0.2 && (f[1] - c[1]).abs() < 0.2);
        assert!(hit, "no centroid near {c:?}: {found:?}");
    }
}

#[test]
fn kmeans_reseeds_an_empty_cluster_with_the_farthest_point() {
    // 39 identical points and an outlier at 100: both centroids start on the identical
    // points (with this seed), one gets every tie and the other nothing, so it moves to the
    // point farthest from its centroid, the outlier.
    let mut points = vec![0.0f32; 8 * 40];
    points[3 * 8] = 100.0;
    // After one round the first centroid is the mean of all 40 (2.5), the second the outlier.
    let found = kmeans(&points, 8, (2, 1), &mut Mt19937::new(0), Threads::ONE);
    let firsts: Vec<f32> = found.chunks_exact(8).map(|c| c[0]).collect();
    assert_eq!(firsts, [2.5, 100.0]);
}

#[test]
fn the_triangle_activation_keeps_what_is_closer_than_average() {
    // Distances 1, 2, 6: mean 3, activations 2, 1, 0.
    let z = [1.0f32, 2.0, 6.0];
    let mean = sum(&z) / 3.0;
    assert_eq!(z.map(|zk| triangle(mean, zk)), [2.0, 1.0, 0.0]);
}

#[test]
fn pooling_sums_each_quadrant() {
    // One centroid at the whitened origin, the others far: every position's activation for
    // the far ones is 0, and each quadrant's feature for the near one is the sum over its
    // positions. A photo of one colour makes every normalised patch 0, so every position has
    // the same activation a and each of the 4 quadrants sums (positions / 4) of them.
    let params =
        LearnedParams { side: 16, patch: 4, stride: 2, centroids: 3, grid: 2, epsilon: 0.1, patches: 3, iterations: 1 };
    let d = params.dim();
    let dp = padded(d);
    let mut identity = vec![0.0f32; d * dp];
    (0..d).for_each(|i| identity[i * dp + i] = 1.0);
    let mut centroids = vec![0.0f32; 3 * dp];
    centroids[dp] = 3.0;
    centroids[2 * dp] = 4.0;
    let dict = Dictionary::new(params, vec![0.0; dp], identity, centroids);
    let f = dict.extract(&vec![77; PHOTO_BYTES]).unwrap();
    // Distances 0, 3, 4: mean 7/3; activations 7/3, 0, 0. Positions 7 a side, quadrants
    // of 4x4, 4x3, 3x4 and 3x3 positions (rows and columns 0..3 | 4..6).
    let a = f64::from(7.0f32 / 3.0);
    let expected = [16.0 * a, 0.0, 0.0, 12.0 * a, 0.0, 0.0, 12.0 * a, 0.0, 0.0, 9.0 * a, 0.0, 0.0];
    assert_eq!(f.len(), 12);
    for (got, want) in f.iter().zip(expected) {
        assert!((got - want).abs() < 1e-4, "{f:?}");
    }
}

#[test]
fn downscaling_averages_blocks() {
    let mut photo = vec![0u8; PHOTO_BYTES];
    // The top-left 2x2 block's red values 10, 20, 30, 41 average to 25.25.
    for (i, v) in [(0, 10), (1, 20), (64, 30), (65, 41)] {
        photo[i * 3] = v;
    }
    assert_eq!(downscale(&photo, 2)[0], 25.25);
    assert_eq!(downscale(&photo, 1)[3], 20.0);
}

#[test]
fn the_vector_dots_are_the_portable_ones_to_the_bit() {
    let mut rng = Mt19937::new(4);
    let mut v = |n: usize| (0..n).map(|_| (rng.next_f64() as f32 - 0.5) * 300.0).collect::<Vec<f32>>();
    let (a, rows) = (v(112), v(4 * 112));
    let rows: Vec<&[f32]> = rows.chunks_exact(112).collect();
    let rows = [rows[0], rows[1], rows[2], rows[3]];
    assert_eq!(dots4(&a, rows).map(f32::to_bits), dots4_portable(&a, rows).map(f32::to_bits));
}

#[test]
fn lane_sums_do_not_depend_on_how_rows_are_grouped() {
    let mut rng = Mt19937::new(9);
    let a: Vec<f32> = (0..24).map(|_| rng.next_f64() as f32 - 0.5).collect();
    let rows: Vec<f32> = (0..24 * 7).map(|_| rng.next_f64() as f32 * 100.0).collect();
    let mut out = vec![0.0; 7];
    dot_rows(&a, &rows, &mut out);
    for (o, row) in out.iter().zip(rows.chunks_exact(24)) {
        assert_eq!(o.to_bits(), dot(&a, row).to_bits());
    }
}

#[test]
fn learned_features_have_the_announced_length_and_are_seeded() {
    let params = small();
    let dict = learn(&params);
    let photo = &photos(7)[6];
    let f = dict.extract(photo).unwrap();
    assert_eq!(f.len(), dict.features());
    assert_eq!(dict.features(), 4 * 8);
    assert!(f.iter().all(|v| v.is_finite() && *v >= 0.0) && f.iter().any(|&v| v > 0.0));
    assert_eq!(learn(&params), dict);
    let other = Dictionary::learn(photos(6).iter().map(|p| p.as_slice()), &params, 8).unwrap();
    assert_ne!(other, dict);
}

#[test]
fn a_dictionary_read_back_from_json_extracts_identically() {
    let dict = learn(&small());
    let json = serde_json::to_string(&dict).unwrap();
    let back: Dictionary = serde_json::from_str(&json).unwrap();
    assert_eq!(back, dict);
    for photo in photos(3) {
        let (a, b) = (dict.extract(&photo).unwrap(), back.extract(&photo).unwrap());
        assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

#[test]
fn the_centroid_picture_tiles_every_centroid() {
    let dict = learn(&small());
    let picture = dict.centroid_picture().unwrap();
    // 8 centroids in rows of 3: 3 x 3 tiles of 4 pixels with 1-pixel gaps.
    assert_eq!((picture.width, picture.height), (14, 14));
    assert_eq!(picture.rgba.len(), 14 * 14 * 4);
    // Each tile is stretched to the full range, so some channel of tile 0 reaches 255 and some 0.
    let tile: Vec<u8> = (0..4)
        .flat_map(|y| (0..4).flat_map(move |x| (0..3).map(move |c| (y * 14 + x) * 4 + c)))
        .map(|i| picture.rgba[i])
        .collect();
    assert!(tile.contains(&255) && tile.contains(&0));
}

#[test]
fn rejects_bad_params() {
    let ok = small();
    assert!(ok.validate().is_ok());
    let cases = [
        LearnedParams { side: 24, ..ok },
        LearnedParams { side: 4, ..ok },
        LearnedParams { patch: 1, ..ok },
        LearnedParams { patch: 17, ..ok },
        LearnedParams { stride: 0, ..ok },
        LearnedParams { centroids: 0, ..ok },
        LearnedParams { grid: 0, ..ok },
        LearnedParams { grid: 8, ..ok },
        LearnedParams { epsilon: 0.0, ..ok },
        LearnedParams { epsilon: f64::NAN, ..ok },
        LearnedParams { patches: 7, ..ok },
        LearnedParams { iterations: 0, ..ok },
        LearnedParams { side: 64, patch: 16, patches: 200_000, ..ok },
    ];
    for params in cases {
        assert!(matches!(params.validate(), Err(Error::Setting(_))), "{params:?}");
        let photos = photos(1);
        assert!(matches!(Dictionary::learn(photos.iter().map(|p| p.as_slice()), &params, 0), Err(Error::Setting(_))));
    }
}

#[test]
fn rejects_no_photos_and_photos_of_the_wrong_size() {
    assert!(matches!(Dictionary::learn(std::iter::empty(), &small(), 0), Err(Error::Dataset(_))));
    let short = [0u8; 12];
    assert!(matches!(Dictionary::learn([&short[..]], &small(), 0), Err(Error::MismatchedShapes { actual: 12, .. })));
    let dict = learn(&small());
    assert!(matches!(dict.extract(&short), Err(Error::MismatchedShapes { actual: 12, .. })));
}

#[test]
fn rejects_dictionary_files_that_do_not_fit_their_params() {
    let dict = learn(&small());
    let mut value = serde_json::to_value(&dict).unwrap();
    value["centroids"].as_array_mut().unwrap().pop();
    assert!(serde_json::from_value::<Dictionary>(value).is_err());
    let mut value = serde_json::to_value(&dict).unwrap();
    value["params"]["patch"] = 5.into();
    assert!(serde_json::from_value::<Dictionary>(value).is_err());
    let mut value = serde_json::to_value(&dict).unwrap();
    value["mean"][0] = 1e300.into();
    assert!(serde_json::from_value::<Dictionary>(value).unwrap_err().to_string().contains("finite f32"));
}

#[test]
fn the_dictionary_is_the_same_bits_on_any_number_of_threads() {
    let (photos, params) = (photos(6), small());
    let on =
        |n| Dictionary::learn_on(photos.iter().map(|p| p.as_slice()), &params, 3, Threads::new(n).unwrap()).unwrap();
    let one = on(1);
    assert_eq!(one, Dictionary::learn(photos.iter().map(|p| p.as_slice()), &params, 3).unwrap());
    (2..5).for_each(|n| assert_eq!(on(n), one, "{n} threads"));
}
