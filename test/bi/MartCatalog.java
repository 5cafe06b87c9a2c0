// MartCatalog: what a JDBC BI tool (Metabase, Tableau) sees of the costmodel
// marts through pgJDBC's DatabaseMetaData.  Prints one tab-separated line per
// view ("view", schema, name, remarks) and per column ("column", schema,
// view, column, type name, remarks), then one "denied" / "allowed" line per
// probe query given after the URL.  Run: java -cp postgresql.jar MartCatalog.java URL [QUERY...]
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

public class MartCatalog {
    // Print the views and columns of schema s with their REMARKS.
    static void listSchema(DatabaseMetaData md, String s) throws SQLException {
        try (ResultSet t = md.getTables(null, s, "%", new String[] {"VIEW"})) {
            while (t.next()) {
                String view = t.getString("TABLE_NAME");
                System.out.println("view\t" + s + "\t" + view + "\t" + clean(t.getString("REMARKS")));
                try (ResultSet c = md.getColumns(null, s, view, "%")) {
                    while (c.next()) {
                        System.out.println("column\t" + s + "\t" + view + "\t" + c.getString("COLUMN_NAME") + "\t"
                                + c.getString("TYPE_NAME") + "\t" + clean(c.getString("REMARKS")));
                    }
                }
            }
        }
    }

    // Remarks on one line; "(none)" when missing.
    static String clean(String r) {
        return r == null || r.isEmpty() ? "(none)" : r.replace('\t', ' ').replace('\n', ' ');
    }

    public static void main(String[] args) throws Exception {
        try (Connection conn = DriverManager.getConnection(args[0])) {
            DatabaseMetaData md = conn.getMetaData();
            listSchema(md, "costmodel_mart");
            listSchema(md, "costmodel_member");
            for (int i = 1; i < args.length; i++) {
                try (Statement st = conn.createStatement(); ResultSet r = st.executeQuery(args[i])) {
                    r.next();
                    System.out.println("allowed\t" + args[i]);
                } catch (SQLException e) {
                    System.out.println("denied\t" + args[i] + "\t" + e.getSQLState());
                }
            }
        }
    }
}
