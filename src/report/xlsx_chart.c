/* Native workbook charts over the table's own cells (xlsx_chart.h): they
 * stay live in Excel and LibreOffice, and hold no number of their own. */
#include "xlsx_chart.h"

/* In constant_memory mode libxlsxwriter cannot look at the cells, so it
 * would call the category cells numbers (<c:numRef>) and Excel would
 * number the bars 1, 2, 3. The categories are always text here. */
static void text_categories(lxw_chart_series *s)
{
	if (s->categories)
		s->categories->has_string_cache = 1;
}

static const lxw_color_t palette[] = { 0x4472C4, 0xED7D31, 0xA5A5A5, 0xFFC000, 0x5B9BD5, 0x70AD47, 0x264478,
                                       0x9E480E };

lxw_error xlsx_chart_insert(lxw_workbook *wb, lxw_worksheet *ws, const struct report_chart *spec,
                            const struct xlsx_chart_place *pl, lxw_row_t at)
{
	int waterfall = spec->kind == CHART_WATERFALL;
	lxw_chart *ch = workbook_add_chart(wb, waterfall || spec->nvalues > 1 ? LXW_CHART_COLUMN_STACKED
	                                                                     : LXW_CHART_COLUMN);
	lxw_chart_options opt = { .x_offset = 4, .y_offset = 4, .x_scale = 1.5, .y_scale = 1.15 };

	if (!ch)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	if (waterfall) {
		/* A waterfall as stacked columns: an invisible base lifts each
		 * floating bar; the visible parts are coloured by kind. */
		static const lxw_color_t colour[STACK_N] = { 0, 0x70AD47, 0xC0504D, 0x4472C4, 0x70AD47, 0xC0504D };
		for (int k = 0; k < STACK_N; k++) {
			lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
			lxw_chart_fill fill = { .color = colour[k] }, none = { .none = LXW_TRUE };
			lxw_chart_line noline = { .none = LXW_TRUE };
			if (!s)
				return LXW_ERROR_MEMORY_MALLOC_FAILED;
			chart_series_set_categories(s, pl->sheet, pl->first, pl->category, pl->last, pl->category);
			text_categories(s);
			chart_series_set_values(s, pl->sheet, pl->first, (lxw_col_t)(pl->helper + k), pl->last,
			                        (lxw_col_t)(pl->helper + k));
			chart_series_set_name(s, chart_stack_names[k]);
			chart_series_set_fill(s, k == STACK_BASE ? &none : &fill);
			if (k == STACK_BASE)
				chart_series_set_line(s, &noline);
		}
		/* only the three kinds of bar in the legend */
		int16_t hide[] = { STACK_BASE, STACK_UP_BELOW, STACK_DOWN_BELOW, -1 };
		chart_legend_delete_series(ch, hide);
		chart_set_series_overlap(ch, 100);
	} else {
		for (size_t j = 0; j < spec->nvalues; j++) {
			lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
			lxw_chart_fill fill = { .color = palette[j % (sizeof(palette) / sizeof(palette[0]))] };
			if (!s)
				return LXW_ERROR_MEMORY_MALLOC_FAILED;
			chart_series_set_categories(s, pl->sheet, pl->first, pl->category, pl->last, pl->category);
			text_categories(s);
			chart_series_set_values(s, pl->sheet, pl->first, pl->values[j], pl->last, pl->values[j]);
			if (pl->headers[j])
				chart_series_set_name(s, pl->headers[j]);
			chart_series_set_fill(s, &fill);
		}
	}
	chart_legend_set_position(ch, spec->nvalues == 1 && !waterfall ? LXW_CHART_LEGEND_NONE
	                                                               : LXW_CHART_LEGEND_BOTTOM);
	chart_set_series_gap(ch, 60);
	return worksheet_insert_chart_opt(ws, at, 0, ch, &opt);
}
