/**
 * A one-line progress bar for a terminal; on a pipe (CI, logs) it prints nothing until done,
 * then one summary line, so logs do not fill with carriage returns.
 */
export function progressBar(stream: NodeJS.WriteStream, width = 30): (done: number, total: number) => void {
  let last = -1;
  return (done, total) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (pct === last) return;
    last = pct;
    if (stream.isTTY) {
      const filled = Math.round((pct / 100) * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done}/${total}`);
      if (done >= total) stream.write('\n');
    } else if (done >= total) {
      stream.write(`imported ${done}/${total}\n`);
    }
  };
}
