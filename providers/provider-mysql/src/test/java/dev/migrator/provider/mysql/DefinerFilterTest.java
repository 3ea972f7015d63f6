package dev.migrator.provider.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DefinerFilterTest {
    static String filter(String in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DefinerFilter.copy(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void removesDefinersFromStatementsButNotFromRowData() throws Exception {
        String dump = """
                /*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */
                /*!50003 CREATE*/ /*!50017 DEFINER=`app``x`@`%`*/ /*!50003 TRIGGER t AFTER INSERT ON u FOR EACH ROW begin end */;;
                CREATE DEFINER=`root`@`localhost` PROCEDURE `p`()
                INSERT INTO `notes` VALUES (1,'DEFINER=`root`@`localhost` stays: it is data, ünïcödé');
                INSERT
                """;
        assertThat(filter(dump)).isEqualTo("""
                /*!50013 SQL SECURITY DEFINER */
                /*!50003 CREATE*/ /*!50017 */ /*!50003 TRIGGER t AFTER INSERT ON u FOR EACH ROW begin end */;;
                CREATE PROCEDURE `p`()
                INSERT INTO `notes` VALUES (1,'DEFINER=`root`@`localhost` stays: it is data, ünïcödé');
                INSERT
                """);
    }

    @Test
    void longLinesAndBinaryBytesSurvive() throws Exception {
        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i % 251 == 10 ? 'x' : i % 251);
        }
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.write("INSERT INTO t VALUES ('".getBytes(StandardCharsets.US_ASCII));
        in.write(big);
        in.write("');\n-- comment ".getBytes(StandardCharsets.US_ASCII));
        in.write(big);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long read = DefinerFilter.copy(new ByteArrayInputStream(in.toByteArray()), out);
        assertThat(read).isEqualTo(in.size());
        assertThat(out.toByteArray()).isEqualTo(in.toByteArray());
    }
}
