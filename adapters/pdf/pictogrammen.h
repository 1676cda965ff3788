#pragma once
// Vector artwork drawn with cairo: the edugate demo logo in the page header and the branche
// pictograms of a praktijkverklaring. Our own drawings (not SBB's logo). Internal to adapters/pdf.
#include <string>
#include <string_view>

#include "adapters/pdf/layout.h"

namespace edugate::adapters::pdf {

// Draws the logo with its top-left corner at (x, y); returns its width.
double draw_edugate_logo(Canvas& canvas, double x, double y, double height);

// A pictogram of `size` × `size` at (x, y); nothing for an unknown naam.
void draw_branche_pictogram(Canvas& canvas, std::string_view naam, double x, double y, double size);

// "techniek" → "Techniek", "ict" → "ICT".
std::string branche_label(std::string_view naam);

}  // namespace edugate::adapters::pdf
