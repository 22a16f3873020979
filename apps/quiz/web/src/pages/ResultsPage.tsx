import { useCallback } from 'preact/hooks';
import type { SessionReport } from '../../../src/shared/protocol.ts';
import type { HostApi } from '../api.ts';
import { AnswerChart } from '../components/AnswerChart.tsx';
import { Leaderboard } from '../components/Leaderboard.tsx';
import { Link } from '../components/Link.tsx';
import { Podium } from '../components/Podium.tsx';
import { Ranking } from '../components/Ranking.tsx';
import { useLanguage, useT } from '../i18n/index.ts';
import { useLoader } from '../use-loader.ts';

/** A session's results, for the host to open any time later: ranking, each question's stats, each player's answers. */
export function ResultsPage({ api, liveId }: { api: HostApi; liveId: string }) {
  const t = useT();
  const { data: report, error } = useLoader(useCallback(() => api.report(liveId), [api, liveId]));
  if (error) {
    return (
      <main class="page">
        <p class="card error" role="alert">
          {error}
        </p>
      </main>
    );
  }
  if (!report) return <p class="page muted">{t.loading}</p>;
  return <Report report={report} />;
}

function Report({ report }: { report: SessionReport }) {
  const t = useT();
  const language = useLanguage();
  const time = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' });
  return (
    <main class="page" data-testid="results-page">
      <header class="bar">
        <h1>{report.title}</h1>
        <span class="tag">{report.code}</span>
        <time class="muted">{time.format(report.createdAt)}</time>
        <Link href="/host">{t.host.allQuizzes}</Link>
      </header>
      <section class="card stack">
        <h2>{t.final.title}</h2>
        <Podium leaderboard={report.leaderboard} mode={report.mode} />
        <Leaderboard rows={report.leaderboard} mode={report.mode} />
      </section>
      {report.questions.map((question) => (
        <section key={question.number} class="card stack" data-testid="results-question" data-played={String(question.played)}>
          <h2>
            <span class="tag">{t.player.question(question.number, report.questions.length)}</span> {question.text}
          </h2>
          <p>
            <span class="label">{t.result.answer}</span> {question.answer.join(' · ')}
          </p>
          {question.played && (
            <>
              <AnswerChart distribution={question.distribution} options={question.options} correctOptions={question.correctOptions} />
              <p class="muted">{t.result.gotItRight(question.correctCount)}</p>
              <Ranking rows={question.ranking} reaction={report.rankingRule === 'reaction'} />
            </>
          )}
        </section>
      ))}
      <section class="card stack">
        <h2>{t.results.answersByPlayer}</h2>
        {report.players.map((player) => (
          <details key={player.nickname} data-testid="results-player" data-nickname={player.nickname}>
            <summary>
              {player.nickname} <span class="muted small">{t.results.answerCount(player.answers.length)}</span>
            </summary>
            <div class="scroll-x">
              <table class="table">
                <thead>
                  <tr>
                    <th>{t.host.question}</th>
                    <th>{t.results.given}</th>
                    <th>{t.results.verdict}</th>
                    <th>{t.results.time}</th>
                  </tr>
                </thead>
                <tbody>
                  {player.answers.map((answer, i) => (
                    <tr key={i}>
                      <td>{answer.question}</td>
                      <td class="name">{answer.answer}</td>
                      <td class={answer.correct ? 'strong' : undefined}>{answer.correct ? t.result.right : t.result.wrong}</td>
                      <td class="muted small">{time.format(answer.at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        ))}
      </section>
    </main>
  );
}
