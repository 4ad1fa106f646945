/* Native charts in the workbook (xlsx_chart.c); private to src/report. */
#ifndef RECON_REPORT_XLSX_CHART_H
#define RECON_REPORT_XLSX_CHART_H

#include <xlsxwriter.h>

#include "chart.h"

/* Where a table's chart finds its data on the sheet: the rows it takes
 * (first..last), the columns of its category and values, and for a
 * waterfall the first of the STACK_N helper columns the renderer wrote
 * beside each row. */
struct xlsx_chart_place {
	const char *sheet;
	lxw_row_t first, last;
	lxw_col_t category, values[REPORT_CHART_MAX], helper;
	const char *headers[REPORT_CHART_MAX];
};

#define XLSX_CHART_ROWS 17   /* sheet rows the chart covers */

/* Add the chart of `spec` to the workbook and place it on ws at row `at`. */
lxw_error xlsx_chart_insert(lxw_workbook *wb, lxw_worksheet *ws, const struct report_chart *spec,
                            const struct xlsx_chart_place *pl, lxw_row_t at);

#endif
