import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** A uPlot chart: created on mount and whenever its data changes, destroyed on unmount. */
export function Chart({
  label,
  options,
  data,
}: {
  /** What the chart shows, for screen readers (the figures are also in a table beside it). */
  label: string;
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
}) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const width = Math.max(320, element.clientWidth);
    const chart = new uPlot({ ...options, width, height: 240 }, data, element);
    return () => chart.destroy();
  }, [options, data]);
  return <div class="chart" role="img" aria-label={label} ref={container} />;
}
