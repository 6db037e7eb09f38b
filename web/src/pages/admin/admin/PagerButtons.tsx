/** "First page" / "Next page" buttons for a paged list; `what` names the list in the buttons' accessible names. */
export function PagerButtons(props: {
  what: string;
  pageNumber: number;
  hasNext: boolean;
  busy: boolean;
  first: () => void;
  next: () => void;
}) {
  return (
    <div class="toolbar">
      <button type="button" class="secondary" onClick={props.first} disabled={props.busy}>
        {props.pageNumber > 1 ? `First ${props.what} page` : `Refresh ${props.what}`}
      </button>
      <span class="muted">Page {props.pageNumber}</span>
      <button type="button" class="secondary" onClick={props.next} disabled={props.busy || !props.hasNext}>
        Next {props.what} page
      </button>
    </div>
  );
}
