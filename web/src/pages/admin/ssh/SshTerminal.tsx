import { useEffect, useRef } from 'preact/hooks';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

/** What the page writes into the terminal: stdout as is, stderr in red. */
export interface TerminalSink {
  write(stream: 'stdout' | 'stderr' | 'info', data: string): void;
  clear(): void;
  /** Scrolls the terminal into view: xterm pauses drawing while it is off screen, so output would stay unseen. */
  reveal(): void;
}

/** An xterm.js terminal showing streamed command output; `onReady` hands the page a sink to write into. */
export function SshTerminal(props: { onReady: (sink: TerminalSink) => void }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Screen reader mode keeps the text in an accessibility tree, so assistive technology (and tests) can read it.
    // No pty on the other side: output lines end in \n only, so the terminal adds the carriage return.
    const terminal = new Terminal({
      convertEol: true,
      rows: 18,
      scrollback: 5000,
      disableStdin: true,
      screenReaderMode: true,
    });
    terminal.open(host.current!);
    props.onReady({
      write(stream, data) {
        if (stream === 'stderr') terminal.write(`\x1b[31m${data}\x1b[0m`);
        else if (stream === 'info') terminal.write(`\x1b[36m${data}\x1b[0m`);
        else terminal.write(data);
      },
      clear: () => terminal.clear(),
      reveal: () => host.current?.scrollIntoView({ block: 'nearest' }),
    });
    return () => terminal.dispose();
  }, []);
  return <div ref={host} class="ssh-terminal" role="region" aria-label="Terminal" />;
}
