/* Vector charts of a table's rows in the PDF (pdf_chart.c); private to src/report. */
#ifndef RECON_REPORT_PDF_CHART_H
#define RECON_REPORT_PDF_CHART_H

#include "chart.h"
#include "pdf.h"

/* Points the chart takes, legend included. */
double pdf_chart_height(const struct chart_rows *c);
/* Draw the chart on the current page, its top edge at `top`, `width` wide. */
void pdf_chart_draw(struct pdf *p, const struct report_chart *spec, const struct chart_rows *c, double x0,
                    double top, double width);

#endif
