//! A plot saved as PNG: the part of a screenshot of the window that the plot covers.

/// The part of a screenshot inside `rect` (points), as PNG bytes. The rectangle is clamped to
/// the image, so no rectangle can make this fail except an empty one.
///
/// # Errors
/// The rectangle misses the image, or encoding fails.
pub fn crop_png(image: &egui::ColorImage, rect: egui::Rect, pixels_per_point: f32) -> Result<Vec<u8>, String> {
    let [w, h] = image.size;
    let px = |v: f32, max: usize| ((v * pixels_per_point).round().max(0.0) as usize).min(max);
    let (x0, x1) = (px(rect.min.x, w), px(rect.max.x, w));
    let (y0, y1) = (px(rect.min.y, h), px(rect.max.y, h));
    if x1 <= x0 || y1 <= y0 {
        return Err("the plot is not on screen".into());
    }
    let mut rgba = Vec::with_capacity((x1 - x0) * (y1 - y0) * 4);
    for y in y0..y1 {
        let row = image.pixels.get(y * w + x0..y * w + x1).ok_or_else(|| "the screenshot is incomplete".to_string())?;
        for c in row {
            rgba.extend_from_slice(&c.to_srgba_unmultiplied());
        }
    }
    let img = image::RgbaImage::from_raw((x1 - x0) as u32, (y1 - y0) as u32, rgba)
        .ok_or_else(|| "the image has the wrong size".to_string())?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crops_are_clamped_to_the_image() {
        let img = egui::ColorImage::new([10, 8], vec![egui::Color32::RED; 80]);
        let png = crop_png(&img, egui::Rect::from_min_max([2.0, 2.0].into(), [50.0, 50.0].into()), 1.0).unwrap();
        let decoded = image::load_from_memory(&png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (8, 6));
        assert!(crop_png(&img, egui::Rect::from_min_max([20.0, 20.0].into(), [30.0, 30.0].into()), 1.0).is_err());
    }
}
