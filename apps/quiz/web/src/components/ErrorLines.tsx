/** A failure and its detail lines (a quiz file's validation errors, one per problem). */
export function ErrorLines({ lines, testId }: { lines: string[]; testId: string }) {
  const [first, ...details] = lines;
  return (
    <div class="error" role="alert" data-testid={testId}>
      <p>{first}</p>
      {details.length > 0 && (
        <ul>
          {details.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
