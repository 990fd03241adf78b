package dev.steward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The figures the CLI prints: rounded as before, and with a point in every locale. */
class PrinterTest {
    @Test
    void cpuAndMemoryAreRoundedWithAPointWhateverTheLocale() {
        Locale old = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY); // a decimal comma with String.format
        try {
            assertThat(Printer.cpu(1_856_106)).isEqualTo("0.00s");
            assertThat(Printer.cpu(1_234_567_890)).isEqualTo("1.23s");
            assertThat(Printer.cpu(59_996_000_000L)).isEqualTo("60.00s");
            assertThat(Printer.cpu(7_050_000_000L)).isEqualTo("7.05s");
            assertThat(Printer.cpu(-1)).isEqualTo("-");
            assertThat(Printer.bytes(192_512)).isEqualTo("188Ki");
            assertThat(Printer.bytes(1_572_864)).isEqualTo("1.5Mi");
            assertThat(Printer.bytes(10L << 30)).isEqualTo("10240.0Mi");
            assertThat(Printer.bytes(-1)).isEqualTo("-");
        } finally {
            Locale.setDefault(old);
        }
    }
}
