package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.MfshellException;

/**
 * The one step loop with a scripted operator, on files in a temp directory: each step writes a
 * file, its undo deletes it, so what is left on disk says what the runner did.
 */
class StepRunnerTest {
    @TempDir
    Path dir;

    /** Answers from a script; records what was shown. */
    static final class Scripted implements Operator {
        final Deque<Answer> answers;
        final List<String> shown = new ArrayList<>();

        Scripted(Answer... a) {
            answers = new ArrayDeque<>(List.of(a));
        }

        @Override
        public void preflight(Preflight p) {
        }

        @Override
        public Answer ask(Step s) {
            shown.add("ask " + s.number());
            return answers.poll();
        }

        @Override
        public void show(Step s) {
            shown.add("show " + s.number());
        }

        @Override
        public void info(String line) {
            shown.add(line);
        }

        @Override
        public void warn(String line) {
        }

        @Override
        public void progress(FollowProgress p) {
        }
    }

    /** A ledger in memory, like the journal: started/done marks, undo removes the files of touched steps. */
    final class Memory implements StepRunner.Ledger {
        final Set<Integer> done = new HashSet<>();
        final Set<Integer> touched = new HashSet<>();
        final List<String> log = new ArrayList<>();
        List<Step> steps;
        boolean failRecording;

        @Override
        public boolean doneBefore(Step s) {
            return done.contains(s.number());
        }

        @Override
        public void started(Step s) {
            if (failRecording) {
                throw new MfshellException("No space left on device");
            }
            touched.add(s.number());
            log.add("started " + s.number());
        }

        @Override
        public void done(Step s) {
            done.add(s.number());
            log.add("done " + s.number());
        }

        @Override
        public void failed(Step s, String why) {
            log.add("failed " + s.number() + ": " + why);
        }

        @Override
        public void skipped(Step s) {
            log.add("skipped " + s.number());
        }

        @Override
        public String undo(String why) {
            List<String> undone = new ArrayList<>();
            for (int i = steps.size() - 1; i >= 0; i--) {
                if (touched.contains(steps.get(i).number())) {
                    steps.get(i).undo().run();
                    undone.add(Integer.toString(steps.get(i).number()));
                }
            }
            return "undid " + String.join(", ", undone);
        }
    }

    List<Step> steps(boolean failThird) {
        List<Step> s = new ArrayList<>();
        for (int n = 2; n <= 4; n++) {
            int k = n;
            Path f = dir.resolve("f" + n);
            s.add(new Step(n, "k" + n, "write f" + n, "touch " + f, n == 4, () -> {
                if (failThird && k == 3) {
                    throw new MfshellException("postmap failed: disk full");
                }
                write(f);
            }, () -> delete(f)));
        }
        return s;
    }

    Memory ledger(List<Step> s) {
        Memory m = new Memory();
        m.steps = s;
        return m;
    }

    @Test
    void yesToEveryStepRunsThemInOrder() throws IOException {
        List<Step> s = steps(false);
        Memory m = ledger(s);
        StepRunner.run(s, false, new Scripted(Operator.Answer.YES, Operator.Answer.YES, Operator.Answer.YES), m);
        assertEquals(List.of("f2", "f3", "f4"), files());
        assertEquals(List.of("started 2", "done 2", "started 3", "done 3", "started 4", "done 4"), m.log);
    }

    @Test
    void allStopsAsking() throws IOException {
        List<Step> s = steps(false);
        Scripted op = new Scripted(Operator.Answer.ALL);
        StepRunner.run(s, false, op, ledger(s));
        assertEquals(List.of("ask 2", "show 3", "show 4"), op.shown);
        assertEquals(List.of("f2", "f3", "f4"), files());
    }

    @Test
    void noSkipsASkippableStepAndStopsAtAnOtherOne() throws IOException {
        List<Step> s = steps(false);
        Memory m = ledger(s);
        StepRunner.run(s, false, new Scripted(Operator.Answer.YES, Operator.Answer.YES, Operator.Answer.NO), m);
        assertEquals(List.of("f2", "f3"), files());
        assertTrue(m.log.contains("skipped 4"));

        List<Step> s2 = steps(false);
        deleteAll();
        MfshellException e = assertThrows(MfshellException.class,
                () -> StepRunner.run(s2, false, new Scripted(Operator.Answer.YES, Operator.Answer.NO), ledger(s2)));
        assertEquals("stopped at step 3 (write f3); undid 2", e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void quitUndoesAndEndOfInputIsQuit() throws IOException {
        List<Step> s = steps(false);
        MfshellException e = assertThrows(MfshellException.class,
                () -> StepRunner.run(s, false, new Scripted(Operator.Answer.YES, Operator.Answer.QUIT), ledger(s)));
        assertTrue(e.getMessage().startsWith("stopped at step 3"), e.getMessage());
        assertEquals(List.of(), files());
        List<Step> s2 = steps(false);
        assertThrows(MfshellException.class, () -> StepRunner.run(s2, false, new Scripted(), ledger(s2)));
        assertEquals(List.of(), files());
    }

    @Test
    void aFailingStepIsUndoneWithTheOnesBefore() throws IOException {
        List<Step> s = steps(true);
        Memory m = ledger(s);
        MfshellException e = assertThrows(MfshellException.class, () -> StepRunner.run(s, true, new Scripted(), m));
        assertEquals("step 3 (write f3) failed: postmap failed: disk full; undid 3, 2", e.getMessage());
        assertTrue(m.log.contains("failed 3: postmap failed: disk full"));
        assertEquals(List.of(), files());
    }

    @Test
    void aStepThatCannotBeRecordedIsNotTaken() throws IOException {
        List<Step> s = steps(false);
        Memory m = ledger(s);
        m.failRecording = true;
        MfshellException e = assertThrows(MfshellException.class, () -> StepRunner.run(s, true, new Scripted(), m));
        assertTrue(e.getMessage().startsWith("step 2 (write f2) not taken: No space left on device"), e.getMessage());
        assertEquals(List.of(), files());
    }

    @Test
    void afterAKillTheStepsDoneAreNotRepeated() throws IOException {
        // A first run "killed" after step 2: its ledger says 2 was done, f2 is on disk.
        List<Step> s = steps(false);
        Memory m = ledger(s);
        StepRunner.run(s.subList(0, 1), true, new Scripted(), m);
        Files.writeString(dir.resolve("f2"), "from the first run");
        Scripted op = new Scripted();
        StepRunner.run(steps(false), true, op, m);
        assertEquals("from the first run", Files.readString(dir.resolve("f2")), "step 2 not run again");
        assertTrue(op.shown.contains("step 2 (write f2) was done before, not repeated"));
        assertEquals(List.of("f2", "f3", "f4"), files());
    }

    List<String> files() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    void deleteAll() throws IOException {
        for (String f : files()) {
            Files.delete(dir.resolve(f));
        }
    }

    static void write(Path f) {
        try {
            Files.writeString(f, "x");
        } catch (IOException e) {
            throw new MfshellException(e.getMessage());
        }
    }

    static void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new MfshellException(e.getMessage());
        }
    }

}
